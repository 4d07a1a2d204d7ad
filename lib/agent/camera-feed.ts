import type { CameraAnalysisState } from '@/lib/realtime/events';
import { FrameReader, type RgbFrame } from './ffmpeg';

/**
 * One camera's pictures for as long as the agent holds it: runs ffmpeg (lib/agent/ffmpeg.ts),
 * restarts it after a failure with a back-off (1 s doubling to 30 s, reset once the source has
 * delivered for a while), and knows the camera's state as the lease renewal reports it:
 * connecting (ffmpeg started, no picture yet), analysing (pictures arriving), source_down (ffmpeg
 * failed or the pictures stopped; the reason is ffmpeg's own words).
 *
 * Keeps only the newest frame: the detector takes it when it is free, so frames never queue up
 * and go stale behind a slow detector.
 */

export type FeedState = { state: CameraAnalysisState; reason: string | null };

export type CameraFeedOptions = {
  input: string;
  kind: string;
  fps: number;
  maxWidth: number;
  ffmpegPath?: string;
  /** Called on every change of state (for the log line and the renewal). */
  onState?: (state: FeedState) => void;
  /** Called when a new frame is waiting. */
  onFrame?: () => void;
  /** Back-off and watchdog timings, shortened by tests. */
  timings?: Partial<typeof DEFAULT_TIMINGS>;
};

const DEFAULT_TIMINGS = {
  firstRetryMs: 1000,
  maxRetryMs: 30_000,
  /** A run that delivered frames this long resets the back-off. */
  healthyAfterMs: 10_000,
  /** No frame for this long from a running ffmpeg: the source is treated as down and ffmpeg restarted. */
  stallMs: 10_000,
};

export class CameraFeed {
  private readonly timings: typeof DEFAULT_TIMINGS;
  private reader: FrameReader | null = null;
  private latest: RgbFrame | null = null;
  private current: FeedState = { state: 'connecting', reason: null };
  private failures = 0;
  private retryTimer: NodeJS.Timeout | null = null;
  private watchdog: NodeJS.Timeout | null = null;
  private runStartedAt = 0;
  private lastFrameAt = 0;
  private stopped = false;
  /** Frames received since start (all runs). */
  framesReceived = 0;

  constructor(private readonly options: CameraFeedOptions) {
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
  }

  get state(): FeedState {
    return this.current;
  }

  start(): void {
    this.stopped = false;
    this.run();
    this.watchdog = setInterval(() => this.checkStall(), Math.min(1000, this.timings.stallMs / 2));
  }

  /** A source this agent cannot read at all (a capture device on someone's computer): down for good, nothing started. */
  unreadable(reason: string): void {
    this.stopped = true;
    this.setState('source_down', reason);
  }

  /** The newest frame not yet taken, or null; taking it clears it. */
  takeFrame(): RgbFrame | null {
    const frame = this.latest;
    this.latest = null;
    return frame;
  }

  hasFrame(): boolean {
    return this.latest !== null;
  }

  /** Ends ffmpeg and every timer; resolves once ffmpeg has exited. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.watchdog) clearInterval(this.watchdog);
    this.retryTimer = null;
    this.watchdog = null;
    this.latest = null;
    const reader = this.reader;
    this.reader = null;
    await reader?.stop();
  }

  private setState(state: CameraAnalysisState, reason: string | null): void {
    if (this.current.state === state && this.current.reason === reason) return;
    this.current = { state, reason };
    this.options.onState?.(this.current);
  }

  private run(): void {
    if (this.stopped) return;
    this.runStartedAt = Date.now();
    this.lastFrameAt = 0;
    if (this.current.state !== 'source_down') this.setState('connecting', null);
    const reader = new FrameReader(
      { input: this.options.input, kind: this.options.kind, fps: this.options.fps, maxWidth: this.options.maxWidth, ffmpegPath: this.options.ffmpegPath },
      {
        onFrame: (frame) => {
          if (this.reader !== reader) return;
          this.framesReceived += 1;
          this.lastFrameAt = Date.now();
          this.latest = frame;
          if (this.current.state !== 'analysing') this.setState('analysing', null);
          if (this.lastFrameAt - this.runStartedAt >= this.timings.healthyAfterMs) this.failures = 0;
          this.options.onFrame?.();
        },
        onExit: ({ code, reason, stopped }) => {
          if (this.reader !== reader) return;
          this.reader = null;
          if (stopped || this.stopped) return;
          const why = reason ?? (code === 0 ? 'The stream ended' : `ffmpeg stopped (exit code ${code ?? 'none'})`);
          this.scheduleRestart(why);
        },
      },
    );
    this.reader = reader;
  }

  private scheduleRestart(reason: string): void {
    this.latest = null;
    this.setState('source_down', reason);
    const delay = Math.min(this.timings.maxRetryMs, this.timings.firstRetryMs * 2 ** this.failures);
    this.failures += 1;
    // Jittered, so that cameras behind one failed switch do not all come back at the same instant.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        this.run();
      },
      Math.round(delay * (0.8 + Math.random() * 0.4)),
    );
  }

  private checkStall(): void {
    const reader = this.reader;
    if (!reader || this.stopped) return;
    const since = this.lastFrameAt || this.runStartedAt;
    if (Date.now() - since < this.timings.stallMs) return;
    const seconds = Math.round(this.timings.stallMs / 1000);
    const reason = this.lastFrameAt ? `No picture from the camera for ${seconds} s` : `No picture from the camera within ${seconds} s of connecting`;
    this.reader = null;
    void reader.stop(); // its exit is ignored: this.reader no longer points at it
    this.scheduleRestart(reason);
  }
}
