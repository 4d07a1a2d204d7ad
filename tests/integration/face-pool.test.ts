/**
 * The face worker pool's robustness (lib/recognition/pool.ts): a task past its timeout, a thread
 * late to start or unable to, shutdown with work in hand, tasks that waited too long — and, on the
 * real face worker, the model's SHA-256 checked in the thread and a recogniser's non-finite output
 * refused as a RangeError.
 *
 * The timing tests run a stand-in worker (written to a temporary folder; the lane's `entry`
 * option) that speaks the real protocol and hangs, answers late or never starts on command: a real
 * model cannot be made to hang on purpose. Whether an abandoned thread was terminated or exited when
 * asked is seen through a spy on Worker.prototype.terminate.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { analyseCrop, analyseImage, createFaceApiEngine, type FaceApiEngine } from '@/lib/face/node-engine';
import { parseManifest, type RecogniserManifest } from '@/lib/recognition/manifest';
import type { HttpError } from '@/lib/http/errors';
import { errorResponse } from '@/lib/http/route';
import { closeFaceLanes, faceLanes, WorkerLane, type LaneSettings } from '@/lib/recognition/pool';
import type { WorkerConfig } from '@/lib/recognition/worker/protocol';
import { FRANCK_FRAMES, plainImage, readFixture } from '../support/face-fixtures';
import { testOnnxModel, TEST_MODEL_MANIFEST } from '../support/onnx-model';
import { browserCrop } from '../support/probes';

type StartMode = 'ready' | 'slow' | 'silent' | 'deaf';

/**
 * The stand-in worker. Start: `ready` at once; `slow` after a second; `silent` never (but exits
 * when asked); `deaf` never, blocking its thread so it cannot even hear 'close'. A task's first
 * engine id is its command: `echo` answers at once, `delay:ms` after ms, `stall` never, `spin`
 * blocks the thread, `late:ms` answers after ms (past the timeout) then claims to have failed and
 * to be ready and exits with code 3. Answers carry the thread's id as `score`. On 'close' it exits
 * once its pending answers are sent.
 */
const FAKE_WORKER = `
import { parentPort, threadId } from 'node:worker_threads';
const START = __START__;
const port = parentPort;
if (START === 'deaf') for (;;) {}
const pending = [];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const answer = (id) => port.postMessage({ kind: 'done', id, result: { box: { x: 0, y: 0, width: 0, height: 0 }, score: threadId, vectors: {} } });
port.on('message', (message) => {
  if (message.kind === 'close') {
    void Promise.all(pending).then(() => process.exit(0));
    return;
  }
  const [command, arg] = message.engineIds[0].split(':');
  if (command === 'echo') answer(message.id);
  else if (command === 'delay') pending.push(sleep(Number(arg)).then(() => answer(message.id)));
  else if (command === 'spin') for (;;) {}
  else if (command === 'late') {
    pending.push(sleep(Number(arg)).then(() => {
      answer(message.id);
      port.postMessage({ kind: 'failed', message: 'late failure' });
      port.postMessage({ kind: 'ready', engines: [] });
      process.exit(3);
    }));
  }
});
if (START === 'ready') port.postMessage({ kind: 'ready', engines: [] });
if (START === 'slow') setTimeout(() => port.postMessage({ kind: 'ready', engines: [] }), 1000);
`;

const SETTINGS: LaneSettings = { size: 1, maxQueue: 10, timeoutMs: 5000, startTimeoutMs: 30_000, maxWaitMs: Infinity, exitGraceMs: 1000 };

let folder: string;
let terminate: MockInstance<Worker['terminate']>;
const lanes: WorkerLane[] = [];

function fakeLane(start: StartMode, settings: Partial<LaneSettings> = {}, config: WorkerConfig = { onnx: null }): WorkerLane {
  const entry = path.join(folder, `fake-${start}.mjs`);
  writeFileSync(entry, FAKE_WORKER.replace('__START__', JSON.stringify(start)));
  const lane = new WorkerLane('verify', config, { ...SETTINGS, ...settings }, { entry });
  lanes.push(lane);
  return lane;
}

const task = (command: string) => ({ kind: 'crop' as const, bytes: new Uint8Array(), engineIds: [command] });
const threadOf = (result: unknown) => (result as { score: number }).score;
/** What a promise settles with, its error included: for promises that settle before the test looks. */
const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.catch((error: unknown) => error);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(() => {
  folder = mkdtempSync(path.join(tmpdir(), 'sightline-face-pool-'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

beforeEach(() => {
  terminate = vi.spyOn(Worker.prototype, 'terminate');
});

afterEach(async () => {
  await Promise.all(lanes.splice(0).map((lane) => lane.close()));
  terminate.mockRestore();
});

describe('a task past its timeout', () => {
  it('fails with 503 analysis_timeout at once; its thread is asked to exit, not terminated, and the next task gets a fresh one', async () => {
    const lane = fakeLane('ready', { timeoutMs: 300, exitGraceMs: 1500 });
    await lane.start();
    const first = threadOf(await lane.run(task('echo')));
    const started = performance.now();
    await expect(lane.run(task('stall'))).rejects.toMatchObject({ status: 503, code: 'analysis_timeout' });
    expect(performance.now() - started).toBeLessThan(1200);
    const second = threadOf(await lane.run(task('echo')));
    expect(second).not.toBe(first);
    // Past the grace period: the stalled thread heard 'close' and exited by itself.
    await sleep(2500);
    expect(terminate).not.toHaveBeenCalled();
  });

  it('terminates a thread that cannot exit (blocked in a call) only after the grace period', async () => {
    const lane = fakeLane('ready', { timeoutMs: 300, exitGraceMs: 1000 });
    await lane.start();
    await expect(lane.run(task('spin'))).rejects.toMatchObject({ code: 'analysis_timeout' });
    expect(terminate).not.toHaveBeenCalled();
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(1), { timeout: 8000, interval: 50 });
    expect(threadOf(await lane.run(task('echo')))).toBeGreaterThan(0);
  });

  it('ignores what an abandoned thread says later: its answer, a claimed failure, its exit', async () => {
    const lane = fakeLane('ready', { timeoutMs: 1000, exitGraceMs: 5000 });
    await lane.start();
    const abandoned = lane.run(task('late:1500'));
    await expect(abandoned).rejects.toMatchObject({ code: 'analysis_timeout' });
    // Waits for and runs on a fresh thread while the old one answers, posts 'failed' and 'ready', and exits with 3.
    const next = await lane.run(task('delay:800'));
    expect(threadOf(next)).toBeGreaterThan(0);
    expect(lane.load()).toEqual({ queued: 0, running: 0, threads: 1 });
    expect(terminate).not.toHaveBeenCalled();
  });
});

describe('start-up', () => {
  it('fails a thread that is not ready within the deadline, and the task waiting for it, with a clear message', async () => {
    const lane = fakeLane('silent', { startTimeoutMs: 500, exitGraceMs: 1500 });
    const waiting = outcome(lane.run(task('echo')));
    await expect(lane.start()).rejects.toThrow('The face analyser did not start within 0.5 s.');
    expect(await waiting).toMatchObject({ message: 'The face analyser did not start within 0.5 s.' });
    // Abandoned, not terminated: asked to exit, it did.
    await sleep(2500);
    expect(terminate).not.toHaveBeenCalled();
  });

  it('terminates a thread late to start only if it does not exit when asked', async () => {
    const lane = fakeLane('deaf', { startTimeoutMs: 500, exitGraceMs: 500 });
    await expect(lane.start()).rejects.toThrow(/did not start within 0.5 s/);
    await vi.waitFor(() => expect(terminate).toHaveBeenCalledTimes(1), { timeout: 8000, interval: 50 });
  });

  it('rejects the task, and the next one, when a thread cannot even be created', async () => {
    // A config that cannot be sent to a thread makes `new Worker` throw at once.
    const unsendable = { onnx: null, hook: () => 0 } as unknown as WorkerConfig;
    const lane = fakeLane('ready', {}, unsendable);
    await expect(lane.run(task('echo'))).rejects.toThrow(/^The face analyser could not start: /);
    await expect(lane.run(task('echo'))).rejects.toThrow(/could not start/);
    await expect(lane.start()).rejects.toThrow(/could not start/);
    expect(lane.load()).toEqual({ queued: 0, running: 0, threads: 1 });
  });
});

describe('close', () => {
  it('rejects a task waiting for a thread that is still starting, the start itself, and later work, with 503', async () => {
    const lane = fakeLane('silent');
    const waiting = outcome(lane.run(task('echo')));
    const starting = outcome(lane.start());
    await lane.close();
    expect(await waiting).toMatchObject({ status: 503, code: 'analysis_unavailable' });
    expect(await starting).toMatchObject({ status: 503, code: 'analysis_unavailable' });
    await expect(lane.run(task('echo'))).rejects.toMatchObject({ status: 503, code: 'analysis_unavailable' });
    await expect(lane.start()).rejects.toMatchObject({ status: 503, code: 'analysis_unavailable' });
  });

  it('rejects the running and the queued tasks with 503 analysis_unavailable', async () => {
    const lane = fakeLane('ready');
    await lane.start();
    const running = outcome(lane.run(task('stall')));
    const queued = outcome(lane.run(task('echo')));
    await sleep(100);
    await lane.close();
    expect(await running).toMatchObject({ status: 503, code: 'analysis_unavailable' });
    expect(await queued).toMatchObject({ status: 503, code: 'analysis_unavailable' });
  });
});

describe('a full queue', () => {
  it('refuses at once with 503 analysis_busy and a Retry-After from the pace tasks have been taking', async () => {
    const lane = fakeLane('ready', { maxQueue: 2 });
    await lane.start();
    // Three one-second tasks teach the lane its pace (a first guess of 0.1 s a task for this lane).
    for (let i = 0; i < 3; i++) await lane.run(task('delay:1000'));
    const running = outcome(lane.run(task('stall')));
    const queued = [outcome(lane.run(task('echo'))), outcome(lane.run(task('echo')))];
    await sleep(50);
    const started = performance.now();
    const refused = (await outcome(lane.run(task('echo')))) as HttpError;
    expect(performance.now() - started).toBeLessThan(50);
    expect(refused).toMatchObject({ status: 503, code: 'analysis_busy', message: expect.stringMatching(/busy \(2 tasks waiting\)/) });
    // Three tasks in hand at about half a second each (the average moves a fifth of the way a task): at least 2 s.
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(2);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(5);

    const answer = errorResponse(refused);
    expect(answer.status).toBe(503);
    expect(answer.headers.get('retry-after')).toBe(String(refused.retryAfterSeconds));
    expect(await answer.json()).toMatchObject({ error: 'analysis_busy' });
    await lane.close();
    await Promise.all([running, ...queued]);
  });
});

describe('a task that waited too long', () => {
  it('is refused with 503 analysis_busy instead of run, and does not count towards a full queue', async () => {
    const lane = fakeLane('ready', { maxWaitMs: 300, maxQueue: 1 });
    await lane.start();
    const running = lane.run(task('delay:3000'));
    const stale = lane.run(task('echo'));
    await sleep(600);
    // The queue holds one task, but it is too old: it is refused and the new one queued.
    const fresh = lane.run(task('echo'));
    await expect(stale).rejects.toMatchObject({
      status: 503,
      code: 'analysis_busy',
      message: expect.stringMatching(/overloaded: this task waited .* longer than the 0\.3 s allowed/),
      retryAfterSeconds: expect.any(Number),
    });
    await expect(running).resolves.toBeTruthy();
    // Queued behind a 3-second task, this one is too old by the time a thread is free.
    await expect(fresh).rejects.toMatchObject({ status: 503, code: 'analysis_busy', message: expect.stringMatching(/waited/) });
    await expect(lane.run(task('echo'))).resolves.toBeTruthy();
  });

  it('is refused when it waited for its thread to start', async () => {
    const lane = fakeLane('slow', { maxWaitMs: 300 });
    await expect(lane.run(task('echo'))).rejects.toMatchObject({ status: 503, code: 'analysis_busy' });
    await expect(lane.run(task('echo'))).resolves.toBeTruthy();
  });

  it('is allowed any wait on a lane without a limit (the analyse lane)', async () => {
    const lane = fakeLane('ready', { maxWaitMs: Infinity });
    await lane.start();
    const running = lane.run(task('delay:800'));
    await expect(lane.run(task('echo'))).resolves.toBeTruthy();
    await running;
  });
});

/**
 * A model made for this test: y = √x on a 32 × 32 RGB face. Finite on the grey face the recogniser
 * is checked with at start-up (pixel 128, mean 127: x > 0), NaN on any darker pixel of a real face.
 */
function sqrtModel(): Uint8Array {
  const varint = (n: number): number[] => (n < 128 ? [n] : [(n & 127) | 128, ...varint(n >>> 7)]);
  const field = (number: number, value: number | string | number[]): number[] => {
    if (typeof value === 'number') return [...varint(number << 3), ...varint(value)];
    const bytes = typeof value === 'string' ? [...new TextEncoder().encode(value)] : value;
    return [...varint((number << 3) | 2), ...varint(bytes.length), ...bytes];
  };
  // ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type: FLOAT, shape: [1, 3, 32, 32] } } }
  const shape = [1, 3, 32, 32].flatMap((d) => field(1, field(1, d)));
  const tensor = (name: string) => [...field(1, name), ...field(2, field(1, [...field(1, 1), ...field(2, shape)]))];
  const node = [...field(1, 'x'), ...field(2, 'y'), ...field(4, 'Sqrt')];
  const graph = [...field(1, node), ...field(2, 'sqrt'), ...field(11, tensor('x')), ...field(12, tensor('y'))];
  return Uint8Array.from([...field(1, 7), ...field(7, graph), ...field(8, field(2, 13))]);
}

describe('on the real face worker', () => {
  const model = testOnnxModel();
  const testManifest = parseManifest(JSON.stringify(TEST_MODEL_MANIFEST), 'the test manifest');
  const onnxConfig = (manifest: RecogniserManifest): WorkerConfig => ({ onnx: { modelPath: model.modelPath, manifest } });

  afterAll(async () => {
    await closeFaceLanes();
  });

  it('the shared lanes refuse work after closeFaceLanes(), until a different config replaces them; the thread checks the model’s SHA-256 and runs', async () => {
    const plain: WorkerConfig = { onnx: null };
    const closedLane = faceLanes(plain).get('analyse')!;
    await closeFaceLanes();
    expect(faceLanes(plain).get('analyse')).toBe(closedLane);
    await expect(
      faceLanes(plain)
        .get('analyse')!
        .run({ kind: 'analyse', bytes: new Uint8Array(8) }),
    ).rejects.toMatchObject({ status: 503, code: 'analysis_unavailable' });

    const lanes = faceLanes(onnxConfig(testManifest));
    expect(lanes.get('analyse')).not.toBe(closedLane);
    const bytes = readFixture(FRANCK_FRAMES[0]!);
    const { faces } = await lanes.get('analyse')!.run({ kind: 'analyse', bytes });
    expect(faces[0]?.vectors[TEST_MODEL_MANIFEST.id]).toHaveLength(512);
    const crop = await browserCrop(bytes, faces[0]!.box);
    const face = await lanes.get('verify')!.run({ kind: 'crop', bytes: crop, engineIds: ['faceapi-128', TEST_MODEL_MANIFEST.id] });
    expect(face?.vectors['faceapi-128']).toHaveLength(128);
    expect(face?.vectors[TEST_MODEL_MANIFEST.id]).toHaveLength(512);
  }, 120_000);

  it('refuses to start with a model that does not match its manifest’s SHA-256, saying so', async () => {
    const manifest = { ...testManifest, sha256: '0'.repeat(64) };
    const lane = new WorkerLane('analyse', onnxConfig(manifest), SETTINGS);
    lanes.push(lane);
    await expect(lane.start()).rejects.toThrow(
      `Recogniser model ${model.modelPath} does not match its manifest: SHA-256 is ${TEST_MODEL_MANIFEST.sha256}, the manifest says ${'0'.repeat(64)}.`,
    );
  }, 120_000);

  it('fails a face whose vector is not finite with a RangeError naming the recogniser', async () => {
    const modelPath = path.join(folder, 'sqrt.onnx');
    writeFileSync(modelPath, sqrtModel());
    const manifest: RecogniserManifest = {
      ...testManifest,
      id: 'sqrt-test',
      name: 'Square root (tests only)',
      input: { ...testManifest.input, width: 32, height: 32 },
      descriptorLength: 3 * 32 * 32,
      sha256: undefined,
    };
    const lane = new WorkerLane('analyse', { onnx: { modelPath, manifest } }, SETTINGS);
    lanes.push(lane);
    await lane.start();

    const failure = lane.run({ kind: 'analyse', bytes: readFixture(FRANCK_FRAMES[0]!) });
    await expect(failure).rejects.toBeInstanceOf(RangeError);
    await expect(failure).rejects.toThrow('Recogniser Square root (tests only) (sqrt-test) returned a value that is not a finite number.');
    // The thread carries on: an image without faces never reaches the model.
    await expect(lane.run({ kind: 'analyse', bytes: plainImage() })).resolves.toMatchObject({ faces: [] });
  }, 120_000);
});

describe('TensorFlow.js memory of a task (in this thread)', () => {
  let engine: FaceApiEngine;
  const tensors = () => engine.tf.memory().numTensors;

  beforeAll(async () => {
    engine = await createFaceApiEngine();
  }, 120_000);

  it('frees the tensors a failing task left behind, and returns data that outlive the task', async () => {
    const bytes = readFixture(FRANCK_FRAMES[0]!);
    const before = tensors();
    const leaky = () => {
      engine.tf.zeros([64]);
      throw new Error('the embedder failed half-way');
    };
    await expect(analyseImage(engine, bytes, { leaky })).rejects.toThrow('the embedder failed half-way');
    expect(tensors()).toBe(before);

    const { faces } = await analyseImage(engine, bytes);
    expect(tensors()).toBe(before);
    expect(faces[0]!.descriptor).toHaveLength(128);
    expect(faces[0]!.descriptor.every(Number.isFinite)).toBe(true);

    const crop = await browserCrop(bytes, faces[0]!.box);
    await expect(analyseCrop(engine, crop, { embedders: { leaky }, faceApiId: 'faceapi-128' })).rejects.toThrow('the embedder failed half-way');
    const face = await analyseCrop(engine, crop, { faceApiId: 'faceapi-128' });
    expect(tensors()).toBe(before);
    expect(face?.vectors['faceapi-128']?.every(Number.isFinite)).toBe(true);
  }, 60_000);
});
