import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HttpError } from '@/lib/http/errors';
import type { FromWorker, ToWorker, WorkerConfig, WorkerResult, WorkerTask } from './worker/protocol';

/**
 * Worker threads for face analysis, so that no model ever runs on the server's event loop (an
 * 8000 × 8000 upload took 2.3 s of it before; every request and socket waited). Two lanes, each
 * its own threads and bounded queue, so a slow enrolment never delays verifying a live candidate:
 *
 * - `verify`: probe crops of live candidates — short tasks (tens of ms), latency matters;
 * - `analyse`: reference photos, template backfill and calibration — long tasks.
 *
 * A full queue refuses at once with 503 and a code rather than letting work pile up without limit.
 * Lanes live on globalThis because Next's route bundles and server.ts (socket.io) run in one
 * process without sharing module instances, and must share the threads.
 */

export type LaneName = 'verify' | 'analyse';

type LaneSettings = { size: number; maxQueue: number; timeoutMs: number };

const DEFAULTS: Record<LaneName, LaneSettings> = {
  // One thread each: on two cores, a second verifier measured slower per task, not faster overall.
  verify: { size: 1, maxQueue: 200, timeoutMs: 15_000 },
  analyse: { size: 1, maxQueue: 64, timeoutMs: 120_000 },
};

/**
 * The worker's entry is TypeScript: the thread registers tsx's loader first (which also resolves
 * the '@/' paths). Resolved from the project root, like the models: the server runs from there.
 */
function bootstrap(): string {
  const entry = pathToFileURL(path.join(process.cwd(), 'lib', 'recognition', 'worker', 'face-worker.ts')).href;
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
}

type Pending = {
  id: number;
  task: WorkerTask;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
};

type Slot = {
  worker: Worker | null;
  ready: Promise<void> | null;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
};

export class WorkerLane {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly name: LaneName,
    private readonly config: WorkerConfig,
    private readonly settings: LaneSettings,
  ) {
    this.slots = Array.from({ length: settings.size }, () => ({ worker: null, ready: null, current: null, timer: null }));
  }

  /** Runs a task on the next free thread. Rejects with 503 `analysis_busy` when the queue is full. */
  run<T extends WorkerTask>(task: T): Promise<WorkerResult<T>> {
    if (this.closed) return Promise.reject(new HttpError(503, 'analysis_unavailable', 'The face analyser is shutting down.'));
    if (this.queue.length >= this.settings.maxQueue) {
      return Promise.reject(
        new HttpError(503, 'analysis_busy', `The face analyser is busy (${this.queue.length} tasks waiting); try again in a moment.`, {
          lane: this.name,
        }),
      );
    }
    return new Promise<WorkerResult<T>>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve: resolve as (value: never) => void, reject });
      this.dispatch();
    });
  }

  /** Starts every thread and waits until each has loaded its models; throws the first start-up failure. */
  async start(): Promise<void> {
    await Promise.all(this.slots.map((slot) => this.spawn(slot)));
  }

  /** Tasks waiting and running. */
  load(): { queued: number; running: number; threads: number } {
    return { queued: this.queue.length, running: this.slots.filter((s) => s.current).length, threads: this.slots.length };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new HttpError(503, 'analysis_unavailable', 'The face analyser is shutting down.'));
    await Promise.all(
      this.slots.map(async (slot) => {
        const worker = slot.worker;
        slot.worker = null;
        slot.ready = null;
        if (!worker) return;
        // Ask the thread to release its models and exit; terminate it if it does not within 2 s.
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ kind: 'close' } satisfies ToWorker);
        const timer = setTimeout(() => void worker.terminate(), 2000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private spawn(slot: Slot): Promise<void> {
    if (slot.ready) return slot.ready;
    const worker = new Worker(bootstrap(), { eval: true, workerData: this.config });
    slot.worker = worker;
    slot.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: FromWorker) => {
        if (message.kind === 'ready') {
          // Loaded: from now on only a running task keeps the process alive.
          if (!slot.current) worker.unref();
          resolve();
        }
        else if (message.kind === 'failed') {
          this.retire(slot, worker);
          reject(new Error(message.message));
        } else this.settle(slot, message);
      };
      worker.on('message', onMessage);
      worker.on('error', (error) => {
        this.retire(slot, worker);
        reject(error);
        this.fail(slot, new Error(`The face analyser stopped: ${error.message}`));
      });
      worker.on('exit', (code) => {
        if (slot.worker !== worker) return;
        this.retire(slot, worker);
        const error = new Error(`The face analyser stopped unexpectedly (exit ${code}).`);
        reject(error);
        this.fail(slot, error);
      });
    });
    // Nothing may be left unhandled when nobody awaits a start.
    slot.ready.catch(() => undefined);
    return slot.ready;
  }

  /** Forgets a dead or failed thread, so the next task starts a fresh one. */
  private retire(slot: Slot, worker: Worker) {
    if (slot.worker !== worker) return;
    slot.worker = null;
    slot.ready = null;
    void worker.terminate();
  }

  private fail(slot: Slot, error: Error) {
    const pending = slot.current;
    this.finish(slot);
    pending?.reject(error);
    this.dispatch();
  }

  private settle(slot: Slot, message: Extract<FromWorker, { kind: 'done' | 'error' }>) {
    const pending = slot.current;
    if (!pending || pending.id !== message.id) return;
    this.finish(slot);
    if (message.kind === 'done') pending.resolve(message.result as never);
    else {
      const error = new Error(message.message);
      error.name = message.name;
      pending.reject(error);
    }
    this.dispatch();
  }

  private finish(slot: Slot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    // An idle thread must not keep a script or test process alive.
    slot.worker?.unref();
  }

  private dispatch() {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.current) continue;
      const pending = this.queue.shift()!;
      slot.current = pending;
      const starting = this.spawn(slot);
      // Busy (or starting for this task): the process must wait for the answer.
      slot.worker?.ref();
      starting.then(
        () => {
          const worker = slot.worker;
          if (!worker || slot.current !== pending) return;
          worker.ref();
          slot.timer = setTimeout(() => {
            this.retire(slot, worker);
            this.fail(slot, new HttpError(503, 'analysis_timeout', `The face analyser took longer than ${this.settings.timeoutMs / 1000} s; try again.`));
          }, this.settings.timeoutMs);
          slot.timer.unref();
          const message: ToWorker = { ...pending.task, id: pending.id };
          worker.postMessage(message);
        },
        (error: unknown) => {
          if (slot.current !== pending) return;
          this.fail(slot, error instanceof Error ? error : new Error(String(error)));
        },
      );
    }
  }
}

type Lanes = { config: WorkerConfig; lanes: Map<LaneName, WorkerLane> };

const holder = globalThis as typeof globalThis & { __sightlineFaceLanes?: Lanes };

/**
 * The lanes, created on first use with `config` (lib/recognition/engines.ts supplies it from the
 * environment). Every later caller shares them; a different config replaces them (tests that
 * switch recognisers), closing the old threads.
 */
export function faceLanes(config: WorkerConfig, settings: Partial<Record<LaneName, Partial<LaneSettings>>> = {}): Map<LaneName, WorkerLane> {
  const current = holder.__sightlineFaceLanes;
  if (current && JSON.stringify(current.config) === JSON.stringify(config)) return current.lanes;
  if (current) for (const lane of current.lanes.values()) void lane.close();
  const lanes = new Map<LaneName, WorkerLane>(
    (Object.keys(DEFAULTS) as LaneName[]).map((name) => [name, new WorkerLane(name, config, { ...DEFAULTS[name], ...settings[name] })]),
  );
  holder.__sightlineFaceLanes = { config, lanes };
  return lanes;
}

/** Closes every face worker thread (server shutdown). */
export async function closeFaceLanes(): Promise<void> {
  const current = holder.__sightlineFaceLanes;
  holder.__sightlineFaceLanes = undefined;
  if (current) await Promise.all([...current.lanes.values()].map((lane) => lane.close()));
}
