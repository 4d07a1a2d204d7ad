import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { HttpError, retryAfter } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';
import type { FromWorker, ToWorker, WorkerConfig, WorkerResult, WorkerTask } from './worker/protocol';

/**
 * Worker threads for face analysis, so that no model ever runs on the server's event loop (an
 * 8000 × 8000 upload took 2.3 s of it before; every request and socket waited). Two lanes, each
 * its own threads and bounded queue, so a slow enrolment never delays verifying a live candidate:
 *
 * - `verify`: probe crops of live candidates — short tasks (tens of ms), latency matters;
 * - `analyse`: reference photos, template backfill and calibration — long tasks.
 *
 * A full queue refuses at once with 503, a code and a Retry-After rather than letting work pile up
 * without limit.
 * Lanes live on globalThis because Next's route bundles and server.ts (socket.io) run in one
 * process without sharing module instances, and must share the threads.
 *
 * A thread that hangs (a task past its timeout, a start past its deadline) is abandoned rather
 * than terminated: terminate() in the middle of a native onnxruntime call or a WebAssembly kernel
 * can crash or hang the whole process. It is detached from its slot (the next task gets a fresh
 * thread), asked to exit, no longer keeps the process alive, and is terminated only if it is still
 * running after a grace period. Whatever it says after that is ignored.
 */

export type LaneName = 'verify' | 'analyse';

export type LaneSettings = {
  /** Threads in the lane. */
  size: number;
  /** Tasks that may wait; more are refused at once with 503 `analysis_busy`. */
  maxQueue: number;
  /** A task running longer fails with 503 `analysis_timeout`, and its thread is abandoned. */
  timeoutMs: number;
  /** A thread that has not loaded its models within this is given up (and abandoned). */
  startTimeoutMs: number;
  /** A task that waited longer than this for a thread is refused with 503 `analysis_busy` instead of run. */
  maxWaitMs: number;
  /** How long an abandoned thread has to exit once asked before it is terminated. */
  exitGraceMs: number;
};

const DEFAULTS: Record<LaneName, LaneSettings> = {
  // One thread each: on two cores, a second verifier measured slower per task, not faster overall.
  // A live candidate that waited 5 s for a thread is no longer worth verifying; enrolment and
  // calibration may wait as long as their queue takes.
  verify: { size: 1, maxQueue: 200, timeoutMs: 15_000, startTimeoutMs: 60_000, maxWaitMs: 5_000, exitGraceMs: 30_000 },
  analyse: { size: 1, maxQueue: 64, timeoutMs: 120_000, startTimeoutMs: 60_000, maxWaitMs: Infinity, exitGraceMs: 30_000 },
};

/**
 * What a task is taken to cost before any has run, for the Retry-After of a refusal: a probe crop
 * takes tens of milliseconds, a reference photo or calibration image up to a few seconds.
 */
const FIRST_GUESS_TASK_MS: Record<LaneName, number> = { verify: 100, analyse: 2000 };

/** At shutdown a thread has this long to finish its task and exit before it is terminated. */
const CLOSE_GRACE_MS = 2000;

const DEFAULT_ENTRY = path.join('lib', 'recognition', 'worker', 'face-worker.ts');

/**
 * The worker's entry is TypeScript: the thread registers tsx's loader first (which also resolves
 * the '@/' paths). Resolved from the project root, like the models: the server runs from there.
 */
function bootstrap(entry: string): string {
  // Not a file for the bundler to trace: the thread loads it from the project at run time.
  const url = pathToFileURL(path.resolve(/* turbopackIgnore: true */ process.cwd(), entry)).href;
  return `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`;
}

const shuttingDown = () => new HttpError(503, 'analysis_unavailable', 'The face analyser is shutting down.');

const errorOf = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));

type Pending = {
  id: number;
  task: WorkerTask;
  /** performance.now() when queued. */
  queuedAt: number;
  /** performance.now() when handed to a thread. */
  sentAt?: number;
  resolve: (value: never) => void;
  reject: (error: Error) => void;
};

/** One worker thread, from its spawn until it exits or is abandoned. */
type Thread = {
  worker: Worker;
  /** Settles when the thread has loaded its models, or has failed to. */
  ready: Promise<void>;
  /** Fails `ready`; no effect once it has settled. */
  refuse: (error: Error) => void;
  /** The start-up deadline, until the thread is ready. */
  deadline: NodeJS.Timeout | null;
};

type Slot = {
  thread: Thread | null;
  current: Pending | null;
  timer: NodeJS.Timeout | null;
};

export type WorkerLaneOptions = {
  /**
   * The worker module, from the project root; lib/recognition/worker/face-worker.ts unless given.
   * Only tests set it, to run a stand-in worker that hangs or answers late on purpose.
   */
  entry?: string;
};

export class WorkerLane {
  private readonly slots: Slot[];
  private readonly queue: Pending[] = [];
  private readonly entry: string;
  private nextId = 1;
  private closed = false;
  /** Moving average of how long a task takes on a thread, for Retry-After. */
  private averageTaskMs: number;

  constructor(
    readonly name: LaneName,
    private readonly config: WorkerConfig,
    private readonly settings: LaneSettings,
    options: WorkerLaneOptions = {},
  ) {
    this.entry = options.entry ?? DEFAULT_ENTRY;
    this.averageTaskMs = FIRST_GUESS_TASK_MS[name];
    this.slots = Array.from({ length: settings.size }, () => ({ thread: null, current: null, timer: null }));
  }

  /**
   * Runs a task on the next free thread. Rejects with 503 `analysis_busy` when the queue is full or
   * the task waited too long for a thread, and with 503 `analysis_unavailable` once the lane is closed.
   */
  run<T extends WorkerTask>(task: T): Promise<WorkerResult<T>> {
    if (this.closed) return Promise.reject(shuttingDown());
    // Tasks that are already too old must not make the queue look full to a fresh one.
    this.dropStale();
    if (this.queue.length >= this.settings.maxQueue) {
      return Promise.reject(
        retryAfter(
          new HttpError(503, 'analysis_busy', `The face analyser is busy (${this.queue.length} tasks waiting); try again in a moment.`, {
            lane: this.name,
          }),
          this.retryAfterSeconds(),
        ),
      );
    }
    return new Promise<WorkerResult<T>>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, queuedAt: performance.now(), resolve: resolve as (value: never) => void, reject });
      this.dispatch();
    });
  }

  /** Starts every thread and waits until each has loaded its models; throws the first start-up failure. */
  async start(): Promise<void> {
    if (this.closed) throw shuttingDown();
    await Promise.all(this.slots.map((slot) => this.spawn(slot)));
  }

  /** Tasks waiting and running. */
  load(): { queued: number; running: number; threads: number } {
    return { queued: this.queue.length, running: this.slots.filter((s) => s.current).length, threads: this.slots.length };
  }

  /**
   * Refuses all further work with 503 `analysis_unavailable`, fails every waiting and running task
   * (and any start in progress) the same way, and waits until every thread has exited.
   */
  async close(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(shuttingDown());
    await Promise.all(this.slots.map((slot) => this.closeSlot(slot)));
  }

  private closeSlot(slot: Slot): Promise<void> {
    const thread = slot.thread;
    const pending = slot.current;
    slot.thread = null;
    this.finish(slot);
    pending?.reject(shuttingDown());
    if (!thread) return Promise.resolve();
    if (thread.deadline) clearTimeout(thread.deadline);
    thread.refuse(shuttingDown());
    return stopThread(thread.worker, CLOSE_GRACE_MS, { keepProcessAlive: true });
  }

  /** The slot's thread once it is ready, starting one if it has none. */
  private spawn(slot: Slot): Promise<void> {
    if (slot.thread) return slot.thread.ready;
    let worker: Worker;
    try {
      worker = new Worker(bootstrap(this.entry), { eval: true, workerData: this.config });
    } catch (error) {
      // No thread to spare, or a config that cannot be sent: this start fails, the next may succeed.
      const failed = Promise.reject(new Error(`The face analyser could not start: ${errorOf(error).message}`));
      failed.catch(() => undefined);
      return failed;
    }
    slot.thread = this.attach(slot, worker);
    return slot.thread.ready;
  }

  private attach(slot: Slot, worker: Worker): Thread {
    let resolve!: () => void;
    let refuse!: (error: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      resolve = res;
      refuse = rej;
    });
    // Nothing may be left unhandled when nobody awaits a start.
    ready.catch(() => undefined);
    const thread: Thread = { worker, ready, refuse, deadline: null };

    const seconds = this.settings.startTimeoutMs / 1000;
    thread.deadline = setTimeout(
      () => this.lose(slot, thread, new Error(`The face analyser did not start within ${seconds} s.`), { abandon: true }),
      this.settings.startTimeoutMs,
    );
    thread.deadline.unref();

    worker.on('message', (message: FromWorker) => {
      // An abandoned thread may still answer (late, or starting after all): nobody is listening.
      if (slot.thread !== thread) return;
      if (message.kind === 'ready') {
        if (thread.deadline) clearTimeout(thread.deadline);
        thread.deadline = null;
        // Loaded: from now on only a running task keeps the process alive.
        if (!slot.current) worker.unref();
        resolve();
      } else if (message.kind === 'failed') {
        this.lose(slot, thread, new Error(message.message), { abandon: true });
      } else this.settle(slot, message);
    });
    // An uncaught error ends the thread ('exit' follows); an exit nobody asked for is a crash.
    worker.on('error', (error) => this.lose(slot, thread, new Error(`The face analyser stopped: ${error.message}`), { abandon: false }));
    worker.on('exit', (code) => this.lose(slot, thread, new Error(`The face analyser stopped unexpectedly (exit ${code}).`), { abandon: false }));
    return thread;
  }

  /**
   * Gives up a thread: detaches it from its slot (the next task starts a fresh one), fails its start
   * and its task with `error`, and abandons it if it may still be running.
   */
  private lose(slot: Slot, thread: Thread, error: Error, { abandon }: { abandon: boolean }) {
    if (slot.thread !== thread) return;
    slot.thread = null;
    if (thread.deadline) clearTimeout(thread.deadline);
    thread.refuse(error);
    if (abandon) abandonThread(thread.worker, this.settings.exitGraceMs);
    this.fail(slot, error);
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
    if (pending.sentAt !== undefined) this.averageTaskMs = 0.8 * this.averageTaskMs + 0.2 * (performance.now() - pending.sentAt);
    this.finish(slot);
    if (message.kind === 'done') pending.resolve(message.result as never);
    else pending.reject(workerError(message));
    this.dispatch();
  }

  private finish(slot: Slot) {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.current = null;
    // An idle thread must not keep a script or test process alive.
    slot.thread?.worker.unref();
  }

  private dispatch() {
    for (const slot of this.slots) {
      if (slot.current) continue;
      this.dropStale();
      const pending = this.queue.shift();
      if (!pending) return;
      this.assign(slot, pending);
    }
  }

  private assign(slot: Slot, pending: Pending) {
    slot.current = pending;
    const starting = this.spawn(slot);
    // Busy (or starting for this task): the process must wait for the answer.
    slot.thread?.worker.ref();
    starting.then(
      () => this.send(slot, pending),
      (error: unknown) => {
        if (slot.current === pending) this.fail(slot, errorOf(error));
      },
    );
  }

  /** Hands the slot's task to its thread, now ready, under the task timeout. */
  private send(slot: Slot, pending: Pending) {
    const thread = slot.thread;
    if (!thread || slot.current !== pending) return;
    // It may have waited for the thread to start as well as in the queue.
    if (this.isStale(pending)) {
      this.fail(slot, this.waitedTooLong(pending));
      return;
    }
    const { worker } = thread;
    worker.ref();
    slot.timer = setTimeout(() => {
      const error = new HttpError(503, 'analysis_timeout', `The face analyser took longer than ${this.settings.timeoutMs / 1000} s; try again.`);
      this.lose(slot, thread, error, { abandon: true });
    }, this.settings.timeoutMs);
    slot.timer.unref();
    const message: ToWorker = { ...pending.task, id: pending.id };
    pending.sentAt = performance.now();
    worker.postMessage(message);
  }

  /** Refuses the tasks at the head of the queue that waited too long (the oldest are first). */
  private dropStale() {
    while (this.queue.length > 0 && this.isStale(this.queue[0]!)) {
      const pending = this.queue.shift()!;
      pending.reject(this.waitedTooLong(pending));
    }
  }

  private isStale(pending: Pending): boolean {
    return performance.now() - pending.queuedAt > this.settings.maxWaitMs;
  }

  private waitedTooLong(pending: Pending): HttpError {
    const waited = ((performance.now() - pending.queuedAt) / 1000).toFixed(1);
    return retryAfter(
      new HttpError(
        503,
        'analysis_busy',
        `The face analyser is overloaded: this task waited ${waited} s, longer than the ${this.settings.maxWaitMs / 1000} s allowed; try again in a moment.`,
        { lane: this.name },
      ),
      this.retryAfterSeconds(),
    );
  }

  /** About when the work in hand will be done, at the pace tasks have been taking: what a refused caller is told to wait. */
  private retryAfterSeconds(): number {
    const tasks = this.queue.length + this.slots.filter((slot) => slot.current).length;
    return Math.min(600, Math.max(1, (tasks * this.averageTaskMs) / this.slots.length / 1000));
  }
}

/**
 * Asks a thread to exit (after the task in hand) and resolves once it has; terminates it if it is
 * still running after `graceMs`. At shutdown the timer keeps the process alive until then; for an
 * abandoned thread it does not.
 */
function stopThread(worker: Worker, graceMs: number, { keepProcessAlive }: { keepProcessAlive: boolean }): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(
      () =>
        void worker.terminate().then(
          () => resolve(),
          () => resolve(),
        ),
      graceMs,
    );
    if (!keepProcessAlive) timer.unref();
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.postMessage({ kind: 'close' } satisfies ToWorker);
  });
}

/** Lets a hung or failed thread go without terminate() unless it will not exit (see the top of this file). */
function abandonThread(worker: Worker, graceMs: number) {
  worker.unref();
  void stopThread(worker, graceMs, { keepProcessAlive: false });
}

/**
 * An error from a thread, crossing as name and message. The built-in classes callers branch on
 * (a RangeError for a recogniser's non-finite output) come back as themselves.
 */
function workerError({ name, message }: { name: string; message: string }): Error {
  const error = name === 'RangeError' ? new RangeError(message) : name === 'TypeError' ? new TypeError(message) : new Error(message);
  error.name = name;
  return error;
}

type Lanes = { config: WorkerConfig; lanes: Map<LaneName, WorkerLane>; closed: boolean };

const holder = processState<{ current?: Lanes }>('faceLanes', () => ({}));

/**
 * The lanes, created on first use with `config` (lib/recognition/engines.ts supplies it from the
 * environment). Every later caller shares them — after closeFaceLanes() too, so that work arriving
 * during or after shutdown is refused with 503 rather than starting threads again. A different
 * config replaces them (tests that switch recognisers), closing the old threads.
 */
export function faceLanes(config: WorkerConfig, settings: Partial<Record<LaneName, Partial<LaneSettings>>> = {}): Map<LaneName, WorkerLane> {
  const current = holder.current;
  if (current && JSON.stringify(current.config) === JSON.stringify(config)) return current.lanes;
  if (current && !current.closed) for (const lane of current.lanes.values()) void lane.close();
  const lanes = new Map<LaneName, WorkerLane>(
    (Object.keys(DEFAULTS) as LaneName[]).map((name) => [name, new WorkerLane(name, config, { ...DEFAULTS[name], ...settings[name] })]),
  );
  holder.current = { config, lanes, closed: false };
  return lanes;
}

/** Closes every face worker thread (server shutdown); the closed lanes stay, refusing work. */
export async function closeFaceLanes(): Promise<void> {
  const current = holder.current;
  if (!current) return;
  current.closed = true;
  await Promise.all([...current.lanes.values()].map((lane) => lane.close()));
}
