import { BUNDLE_URL as FACE_API_BUNDLE_URL, MODELS_URL, WASM_URL } from '@/lib/face/browser';
import type {
  BackendChoice,
  BackendPreference,
  DescribeFace,
  DescribedFace,
  DetectedFace,
  DetectorSettings,
  FromWorker,
  ToWorker,
} from '@/lib/face/worker-protocol';

/**
 * One face detector shared by every camera tile on the page: a small pool of detector workers
 * (lib/face/detector-worker.ts), each with one job in flight, fed round-robin from the tiles that
 * have a frame not yet analysed. Frames are captured only when a worker is free, so they never
 * queue up and go stale; results that still arrive late (or for a tile that has gone) are dropped.
 * With more tiles each tile is analysed less often — 16 tiles degrade to ~1.5 detections/s each on
 * two cores instead of freezing the page (docs/architecture.md#face-detection-in-the-browser).
 *
 * Browser-only. Callers: components/live (one scheduler per live grid).
 */

export const DEFAULT_DETECTOR: DetectorSettings = { inputSize: 320, scoreThreshold: 0.5 };
/** No tile is analysed more often than this: more adds CPU load, not safety (faces move little in 66 ms). */
export const MIN_FRAME_INTERVAL_MS = 66;
/** Detections older than this when they arrive describe a scene that has moved on: not drawn, not tracked. */
export const STALE_RESULT_MS = 1000;
/** A job that takes this long means a wedged worker: it is replaced. */
const JOB_TIMEOUT_MS = 15_000;
/** Start-up (models, wasm, benchmark) may take this long before a worker is given up on. */
const INIT_TIMEOUT_MS = 60_000;
const MAX_RESTARTS = 3;
/** Safety net for sources without frame callbacks (an <img> MJPEG stream). */
const IDLE_PUMP_MS = 100;

/**
 * Workers for this machine: one on 2 cores (a second one raised total throughput but made every
 * detection slower and clicks laggier: docs/architecture.md#face-detection-in-the-browser), then
 * one per two cores, at most three.
 */
export function workerCountFor(hardwareConcurrency: number | undefined): number {
  const cores = hardwareConcurrency && hardwareConcurrency > 0 ? hardwareConcurrency : 2;
  return cores <= 2 ? 1 : Math.min(3, Math.floor(cores / 2));
}

/** Turbopack and webpack bundle the worker from this exact `new Worker(new URL(...))` shape. */
export function createDetectorWorker(): Worker {
  return new Worker(new URL('./detector-worker.ts', import.meta.url), { type: 'module', name: 'face-detector' });
}

export type CapturedFrame = { frame: VideoFrame | ImageBitmap; width: number; height: number };

export type FrameInfo = {
  /** Wall-clock capture time (ms since epoch), for probes. */
  capturedAt: number;
  width: number;
  height: number;
};

/** A camera tile, as the scheduler sees it. */
export interface FrameSource {
  /** Whether a frame not yet analysed is available. Called often: keep it cheap. */
  hasFreshFrame(): boolean;
  /** The current frame (marking it analysed), or null if none can be taken now. */
  captureFrame(): CapturedFrame | null | Promise<CapturedFrame | null>;
  /** Faces found in a frame; returns those to describe now, while the worker still holds that frame. */
  onDetections(faces: DetectedFace[], frame: FrameInfo): DescribeFace[];
  onDescriptors(faces: DescribedFace[], failedTrackIds: string[], frame: FrameInfo): void;
  /** A describe job could not run (frame gone, worker replaced): the tracks should retry later. */
  onDescribeFailed(trackIds: string[]): void;
}

export type DetectorStatus =
  | { state: 'loading'; workers: number }
  | { state: 'ready'; workers: number; choice: BackendChoice }
  | { state: 'failed'; workers: number; message: string };

export type SchedulerStats = {
  detections: number;
  descriptors: number;
  staleDropped: number;
  failedJobs: number;
  /** Mean worker time per detect job over the last ~50 jobs. */
  detectMs: number | null;
  /** Worker milliseconds spent on detect and describe jobs, summed over workers (cumulative). */
  workerBusyMs: number;
};

export type SchedulerOptions = {
  workerCount?: number;
  createWorker?: () => Worker;
  backend?: BackendPreference;
  detector?: DetectorSettings;
  minFrameIntervalMs?: number;
  onStatus?: (status: DetectorStatus) => void;
};

type Entry = { source: FrameSource; inFlight: boolean; lastDispatchAt: number; removed: boolean };

type Job =
  | { id: number; kind: 'capturing'; entry: Entry }
  | { id: number; kind: 'detect'; entry: Entry; frame: FrameInfo; capturedPerf: number; startedAt: number }
  | { id: number; kind: 'describe'; entry: Entry; frame: FrameInfo; trackIds: string[]; startedAt: number };

type Slot = {
  worker: Worker;
  ready: boolean;
  /** Gave up: failed to start, or stopped responding too often. */
  dead: boolean;
  job: Job | null;
  startedAt: number;
  restarts: number;
};

export class DetectionScheduler {
  private readonly entries: Entry[] = [];
  private readonly slots: Slot[] = [];
  private readonly options: Required<Omit<SchedulerOptions, 'onStatus' | 'workerCount'>> & Pick<SchedulerOptions, 'onStatus'>;
  private cursor = 0;
  private nextJobId = 1;
  private pumping = false;
  private disposed = false;
  private status: DetectorStatus;
  private readonly counters = { detections: 0, descriptors: 0, staleDropped: 0, failedJobs: 0, workerBusyMs: 0 };
  private readonly detectTimes: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(options: SchedulerOptions = {}) {
    const workerCount = options.workerCount ?? workerCountFor(globalThis.navigator?.hardwareConcurrency);
    this.options = {
      createWorker: options.createWorker ?? createDetectorWorker,
      backend: options.backend ?? 'auto',
      detector: options.detector ?? DEFAULT_DETECTOR,
      minFrameIntervalMs: options.minFrameIntervalMs ?? MIN_FRAME_INTERVAL_MS,
      onStatus: options.onStatus,
    };
    this.status = { state: 'loading', workers: workerCount };
    for (let i = 0; i < workerCount; i++) this.slots.push(this.startWorker(0));
    this.timer = setInterval(() => this.tick(), IDLE_PUMP_MS);
  }

  /** Adds a tile; returns the function that removes it (its in-flight result is then dropped). */
  register(source: FrameSource): () => void {
    const entry: Entry = { source, inFlight: false, lastDispatchAt: 0, removed: false };
    this.entries.push(entry);
    this.pump();
    return () => {
      entry.removed = true;
      const index = this.entries.indexOf(entry);
      if (index < 0) return;
      this.entries.splice(index, 1);
      if (this.cursor > index) this.cursor -= 1;
    };
  }

  /** A tile has a new frame: dispatch it now if a worker is idle. */
  poke(): void {
    if (this.slots.some((slot) => slot.ready && !slot.job)) this.pump();
  }

  getStatus(): DetectorStatus {
    return this.status;
  }

  stats(): SchedulerStats {
    const times = this.detectTimes;
    return {
      ...this.counters,
      detectMs: times.length ? times.reduce((sum, t) => sum + t, 0) / times.length : null,
    };
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    for (const slot of this.slots) slot.worker.terminate();
    this.entries.length = 0;
  }

  // -------------------------------------------------------------------------------------------

  private setStatus(status: DetectorStatus): void {
    this.status = status;
    this.options.onStatus?.(status);
  }

  private startWorker(restarts: number): Slot {
    const worker = this.options.createWorker();
    const slot: Slot = { worker, ready: false, dead: false, job: null, startedAt: performance.now(), restarts };
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(slot, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.fail(slot, event.message || 'The detector worker could not start');
    };
    const init: ToWorker = {
      type: 'init',
      bundleUrl: FACE_API_BUNDLE_URL,
      modelsUrl: MODELS_URL,
      wasmUrl: WASM_URL,
      backend: this.options.backend,
      detector: this.options.detector,
    };
    worker.postMessage(init);
    return slot;
  }

  private fail(slot: Slot, message: string): void {
    if (this.disposed) return;
    slot.worker.terminate();
    this.abandonJob(slot);
    slot.ready = false;
    slot.dead = true;
    this.reportIfAllDead(message);
  }

  private reportIfAllDead(message: string): void {
    if (this.slots.every((s) => s.dead)) this.setStatus({ state: 'failed', workers: this.slots.length, message });
  }

  /** Replaces a wedged worker, keeping its place in the pool. */
  private restart(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    slot.worker.terminate();
    this.abandonJob(slot);
    if (index < 0) return;
    if (slot.restarts >= MAX_RESTARTS) {
      slot.ready = false;
      slot.dead = true;
      this.reportIfAllDead('The detector stopped responding');
      return;
    }
    this.slots[index] = this.startWorker(slot.restarts + 1);
  }

  private abandonJob(slot: Slot): void {
    const job = slot.job;
    slot.job = null;
    if (!job) return;
    job.entry.inFlight = false;
    if (job.kind === 'describe' && !job.entry.removed) job.entry.source.onDescribeFailed(job.trackIds);
  }

  private tick(): void {
    const now = performance.now();
    for (const slot of this.slots) {
      if (slot.job && slot.job.kind !== 'capturing' && now - slot.job.startedAt > JOB_TIMEOUT_MS) this.restart(slot);
      else if (!slot.ready && !slot.dead && now - slot.startedAt > INIT_TIMEOUT_MS) {
        this.fail(slot, 'The detector took too long to start');
      }
    }
    this.pump();
  }

  private onMessage(slot: Slot, message: FromWorker): void {
    if (this.disposed || !this.slots.includes(slot)) return;
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        if (this.status.state !== 'ready') this.setStatus({ state: 'ready', workers: this.slots.length, choice: message.choice });
        this.pump();
        return;
      case 'init-failed':
        this.fail(slot, message.message);
        return;
      case 'detected':
        this.onDetected(slot, message.jobId, message.faces, message.detectMs);
        return;
      case 'described':
        this.counters.workerBusyMs += message.describeMs;
        this.onDescribed(slot, message.jobId, message.faces, message.failedTrackIds);
        return;
      case 'job-failed':
        if (slot.job?.id === message.jobId) {
          this.counters.failedJobs += 1;
          this.abandonJob(slot);
          this.pump();
        }
        return;
    }
  }

  private onDetected(slot: Slot, jobId: number, faces: DetectedFace[], detectMs: number): void {
    const job = slot.job;
    if (!job || job.id !== jobId || job.kind !== 'detect') return;
    this.counters.workerBusyMs += detectMs;
    this.detectTimes.push(detectMs);
    if (this.detectTimes.length > 50) this.detectTimes.shift();
    const { entry } = job;
    const stale = entry.removed || performance.now() - job.capturedPerf > STALE_RESULT_MS;
    if (stale) {
      this.counters.staleDropped += 1;
      this.release(slot);
      return;
    }
    this.counters.detections += 1;
    const toDescribe = entry.source.onDetections(faces, job.frame);
    if (toDescribe.length === 0) {
      this.release(slot);
      return;
    }
    // Same worker, straight away: it still holds this frame.
    const describe: Job = {
      id: this.nextJobId++,
      kind: 'describe',
      entry,
      frame: job.frame,
      trackIds: toDescribe.map((face) => face.trackId),
      startedAt: performance.now(),
    };
    slot.job = describe;
    const message: ToWorker = { type: 'describe', jobId: describe.id, frameJobId: job.id, faces: toDescribe };
    slot.worker.postMessage(message);
  }

  private onDescribed(slot: Slot, jobId: number, faces: DescribedFace[], failedTrackIds: string[]): void {
    const job = slot.job;
    if (!job || job.id !== jobId || job.kind !== 'describe') return;
    // Late descriptors are still valid (the face was there); a removed tile's are simply dropped.
    if (!job.entry.removed) {
      this.counters.descriptors += faces.length;
      job.entry.source.onDescriptors(faces, failedTrackIds, job.frame);
    }
    this.release(slot);
  }

  private release(slot: Slot): void {
    if (slot.job) slot.job.entry.inFlight = false;
    slot.job = null;
    this.pump();
  }

  /** Gives each idle worker the next tile, in turn, that has a fresh frame. */
  private pump(): void {
    if (this.pumping || this.disposed) return;
    this.pumping = true;
    try {
      for (const slot of this.slots) {
        if (!slot.ready || slot.job) continue;
        const entry = this.nextEntry();
        if (!entry) break;
        void this.dispatch(slot, entry);
      }
    } finally {
      this.pumping = false;
    }
  }

  private nextEntry(): Entry | null {
    const count = this.entries.length;
    const now = performance.now();
    for (let i = 0; i < count; i++) {
      const index = (this.cursor + i) % count;
      const entry = this.entries[index]!;
      if (entry.inFlight || now - entry.lastDispatchAt < this.options.minFrameIntervalMs) continue;
      if (!entry.source.hasFreshFrame()) continue;
      this.cursor = (index + 1) % count;
      return entry;
    }
    return null;
  }

  private async dispatch(slot: Slot, entry: Entry): Promise<void> {
    const id = this.nextJobId++;
    entry.inFlight = true;
    entry.lastDispatchAt = performance.now();
    slot.job = { id, kind: 'capturing', entry };
    let captured: CapturedFrame | null;
    try {
      captured = await entry.source.captureFrame();
    } catch {
      captured = null;
    }
    const capturedPerf = performance.now();
    // The tile or the worker may have gone while an <img> frame was being decoded.
    if (slot.job?.id !== id || entry.removed || this.disposed || !captured) {
      captured?.frame.close();
      if (slot.job?.id === id) this.release(slot);
      else entry.inFlight = false;
      return;
    }
    const frame: FrameInfo = { capturedAt: Date.now(), width: captured.width, height: captured.height };
    slot.job = { id, kind: 'detect', entry, frame, capturedPerf, startedAt: capturedPerf };
    const message: ToWorker = { type: 'detect', jobId: id, frame: captured.frame, width: captured.width, height: captured.height };
    slot.worker.postMessage(message, [captured.frame]);
  }
}
