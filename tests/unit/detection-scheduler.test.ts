import { afterEach, describe, expect, it, vi } from 'vitest';
import { DetectionScheduler, STALE_RESULT_MS, workerCountFor, type FrameSource } from '@/lib/face/detection-scheduler';
import type { DescribeFace, FromWorker, ToWorker } from '@/lib/face/worker-protocol';

/** A stand-in for the detector worker: records what it is sent; the test answers for it. */
class FakeWorker {
  sent: ToWorker[] = [];
  terminated = false;
  onmessage: ((event: MessageEvent<FromWorker>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  postMessage(message: ToWorker) {
    this.sent.push(message);
  }
  terminate() {
    this.terminated = true;
  }
  reply(message: FromWorker) {
    this.onmessage?.({ data: message } as MessageEvent<FromWorker>);
  }
  jobs(type: 'detect' | 'describe') {
    return this.sent.filter((m) => m.type === type) as Extract<ToWorker, { type: typeof type }>[];
  }
  last() {
    return this.sent[this.sent.length - 1]!;
  }
}

const READY: FromWorker = { type: 'ready', choice: { backend: 'wasm', wasmMs: 30, webglMs: null, reason: 'test' } };
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function fakeFrame() {
  return { frame: { close: vi.fn() } as unknown as VideoFrame, width: 640, height: 480 };
}

type FakeSource = FrameSource & { name: string; fresh: boolean; describe: DescribeFace[]; detections: number; described: number; failed: string[] };

function source(name: string, log: string[]): FakeSource {
  const s: FakeSource = {
    name,
    fresh: true,
    describe: [],
    detections: 0,
    described: 0,
    failed: [],
    hasFreshFrame: () => s.fresh,
    captureFrame: () => {
      log.push(name);
      return fakeFrame();
    },
    onDetections: () => {
      s.detections += 1;
      return s.describe;
    },
    onDescriptors: (faces) => {
      s.described += faces.length;
    },
    onDescribeFailed: (ids) => {
      s.failed.push(...ids);
    },
  };
  return s;
}

let scheduler: DetectionScheduler | null = null;
afterEach(() => {
  scheduler?.dispose();
  scheduler = null;
  vi.restoreAllMocks();
});

function start(workerCount = 1) {
  const workers: FakeWorker[] = [];
  scheduler = new DetectionScheduler({
    workerCount,
    minFrameIntervalMs: 0,
    createWorker: () => {
      const worker = new FakeWorker();
      workers.push(worker);
      return worker as unknown as Worker;
    },
  });
  return { scheduler, workers };
}

async function answerDetect(worker: FakeWorker, faces = 0) {
  const job = worker.last();
  if (job.type !== 'detect') throw new Error(`expected a detect job, got ${job.type}`);
  worker.reply({
    type: 'detected',
    jobId: job.jobId,
    faces: Array.from({ length: faces }, () => ({ box: { x: 1, y: 1, width: 50, height: 50 }, score: 0.9 })),
    detectMs: 30,
  });
  await flush();
}

describe('workerCountFor', () => {
  it('uses one worker on two cores, then one per two cores, at most three', () => {
    expect(workerCountFor(undefined)).toBe(1);
    expect(workerCountFor(1)).toBe(1);
    expect(workerCountFor(2)).toBe(1);
    expect(workerCountFor(4)).toBe(2);
    expect(workerCountFor(6)).toBe(3);
    expect(workerCountFor(32)).toBe(3);
  });
});

describe('DetectionScheduler', () => {
  it('sends nothing until the worker is ready, then one frame at a time', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    scheduler.register(source('a', log));
    scheduler.register(source('b', log));
    await flush();
    expect(worker.sent.map((m) => m.type)).toEqual(['init']);
    worker.reply(READY);
    await flush();
    expect(worker.jobs('detect')).toHaveLength(1);
    scheduler.poke();
    await flush();
    expect(worker.jobs('detect')).toHaveLength(1); // still busy: no second frame
    expect(scheduler.getStatus()).toMatchObject({ state: 'ready', choice: { backend: 'wasm' } });
  });

  it('takes tiles in turn, skipping those without a new frame', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    const a = source('a', log);
    const b = source('b', log);
    const c = source('c', log);
    [a, b, c].forEach((s) => scheduler.register(s));
    worker.reply(READY);
    await flush();
    for (let i = 0; i < 5; i++) await answerDetect(worker);
    expect(log).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    b.fresh = false;
    for (let i = 0; i < 4; i++) await answerDetect(worker);
    expect(log.slice(6)).toEqual(['a', 'c', 'a', 'c']);
  });

  it('describes on the same worker, for the same frame, before the next frame', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    const a = source('a', log);
    a.describe = [{ trackId: 's-1', box: { x: 1, y: 1, width: 50, height: 50 } }];
    scheduler.register(a);
    scheduler.register(source('b', log));
    worker.reply(READY);
    await flush();
    const detect = worker.last();
    await answerDetect(worker, 1);
    const describe = worker.last();
    expect(describe).toMatchObject({ type: 'describe', frameJobId: detect.type === 'detect' ? detect.jobId : -1, faces: a.describe });
    expect(log).toEqual(['a']); // b waits for the describe
    if (describe.type !== 'describe') throw new Error('expected describe');
    worker.reply({
      type: 'described',
      jobId: describe.jobId,
      faces: [{ trackId: 's-1', descriptor: new Float32Array(128), crop: '/9j/' }],
      failedTrackIds: [],
      describeMs: 50,
    });
    await flush();
    expect(a.described).toBe(1);
    expect(log).toEqual(['a', 'b']);
    expect(scheduler.stats()).toMatchObject({ detections: 1, descriptors: 1, workerBusyMs: 80 });
  });

  it('drops the result for a tile removed while its frame was analysed', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    const a = source('a', log);
    const remove = scheduler.register(a);
    worker.reply(READY);
    await flush();
    remove();
    await answerDetect(worker, 2);
    expect(a.detections).toBe(0);
    expect(scheduler.stats().staleDropped).toBe(1);
  });

  it('drops detections that arrive too late to draw', async () => {
    const log: string[] = [];
    let now = 1000;
    vi.spyOn(performance, 'now').mockImplementation(() => now);
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    const a = source('a', log);
    scheduler.register(a);
    worker.reply(READY);
    await flush();
    now += STALE_RESULT_MS + 1;
    await answerDetect(worker, 1);
    expect(a.detections).toBe(0);
    expect(scheduler.stats().staleDropped).toBe(1);
    await answerDetect(worker, 1); // the next, timely frame is used
    expect(a.detections).toBe(1);
  });

  it('tells the tile when a describe fails, and carries on', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start();
    const worker = workers[0]!;
    const a = source('a', log);
    a.describe = [{ trackId: 's-7', box: { x: 1, y: 1, width: 50, height: 50 } }];
    scheduler.register(a);
    worker.reply(READY);
    await flush();
    await answerDetect(worker, 1);
    const describe = worker.last();
    if (describe.type !== 'describe') throw new Error('expected describe');
    worker.reply({ type: 'job-failed', jobId: describe.jobId, message: 'That frame is gone' });
    await flush();
    expect(a.failed).toEqual(['s-7']);
    expect(worker.last().type).toBe('detect');
  });

  it('spreads tiles over several workers without giving one tile two frames at once', async () => {
    const log: string[] = [];
    const { scheduler, workers } = start(2);
    const a = source('a', log);
    scheduler.register(a);
    workers.forEach((w) => w.reply(READY));
    await flush();
    expect(log).toEqual(['a']); // the second worker stays idle: a's frame is in flight
    scheduler.register(source('b', log));
    await flush();
    expect(log).toEqual(['a', 'b']);
    expect(workers.map((w) => w.jobs('detect').length)).toEqual([1, 1]);
  });

  it('reports a detector that cannot start', async () => {
    const { scheduler, workers } = start();
    workers[0]!.reply({ type: 'init-failed', message: 'models missing' });
    expect(scheduler.getStatus()).toEqual({ state: 'failed', workers: 1, message: 'models missing' });
    expect(workers[0]!.terminated).toBe(true);
  });
});
