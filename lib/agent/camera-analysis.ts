import type { Probe, ProbeAnswer } from '@/lib/face/probe';
import { exchangeProbe, PROBE_TIMEOUT_MS } from '@/lib/face/probe-exchange';
import { FaceTracker, type Track } from '@/lib/face/tracker';
import type { OverlayFrame } from '@/lib/realtime/events';
import type { DescribedFace, DetectedFace } from './detector';

/**
 * One held camera's side of the agent's analysis: tracks faces across frames with the browser's
 * tracker (lib/face/tracker.ts), turns descriptors into probes with the browser's own rules
 * (lib/face/probe-exchange.ts: the descriptor first; the crop only when the server answers
 * `cropNeeded`, with its ticket; a verification the server cannot do yet is retried after a
 * jittered pause; a probe unanswered in 10 s counts as failed), and builds the overlay frame the
 * holder publishes. Nothing about a face outlives its probe: a descriptor and crop go from the
 * detector straight into one probe and are dropped with the answer.
 */

const RATE_WINDOW_MS = 3000;

/** A probe the server refused: its code (e.g. `not_lease_holder`) and message. */
export class ProbeRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeRefused';
  }
}

export type ProbeCounters = { submitted: number; matched: number; failed: number; refused: Record<string, number> };

export type CameraAnalysisOptions = {
  deploymentId: string;
  cameraId: string;
  /** Prefix making track ids unique across agent runs. */
  sessionId: string;
  /** Sends one probe; resolves with the server's answer or rejects with ProbeRefused. */
  submitProbe: (probe: Probe) => Promise<Extract<ProbeAnswer, object>>;
  counters: ProbeCounters;
};

export class CameraAnalysis {
  private readonly tracker = new FaceTracker();
  private visible: Track[] = [];
  private readonly resultTimes: number[] = [];
  private firstResultAt = 0;
  private disposed = false;
  frames = 0;
  private frameSize = { width: 0, height: 0 };

  constructor(private readonly options: CameraAnalysisOptions) {}

  /** This frame's faces into the tracker; returns the faces to describe now. */
  onDetections(faces: DetectedFace[], frame: { width: number; height: number }, now = performance.now()): { trackId: string; box: DetectedFace['box'] }[] {
    this.frames += 1;
    this.frameSize = { width: frame.width, height: frame.height };
    this.firstResultAt ||= now;
    this.resultTimes.push(now);
    this.trimRate(now);
    const update = this.tracker.update(faces, now);
    this.visible = update.visible;
    return this.tracker.takeDescriptorRequests(update.visible, now).map((track) => ({ trackId: this.trackIdOf(track.id), box: track.box }));
  }

  /** Descriptors (and crops) of the faces asked for: one probe each. */
  onDescribed(described: DescribedFace[], failedTrackIds: string[], capturedAt: number, now = performance.now()): void {
    for (const id of failedTrackIds) this.tracker.markFailed(this.trackNumberOf(id), now);
    for (const face of described) {
      const number = this.trackNumberOf(face.trackId);
      const track = this.tracker.get(number);
      if (!track) continue;
      const probe: Probe = {
        cameraId: this.options.cameraId,
        trackId: face.trackId,
        descriptor: Array.from(face.descriptor),
        box: { ...track.box },
        detectionScore: Math.min(1, Math.max(0, track.score)),
        capturedAt: new Date(capturedAt).toISOString(),
      };
      this.tracker.markChecking(number);
      this.send(number, probe, face.crop);
    }
  }

  /** The boxes of the latest frame for `overlay:publish`: track ids, boxes and states only. */
  overlay(): OverlayFrame | null {
    if (!this.frameSize.width) return null;
    const shown = this.visible.filter((track) => track.misses === 0 && this.tracker.get(track.id) === track);
    return {
      deploymentId: this.options.deploymentId,
      cameraId: this.options.cameraId,
      frame: { width: this.frameSize.width, height: this.frameSize.height },
      faces: shown.map((track) => ({
        trackId: this.trackIdOf(track.id),
        box: { x: Math.max(0, track.box.x), y: Math.max(0, track.box.y), width: track.box.width, height: track.box.height },
        state: track.state,
      })),
    };
  }

  /** Analysed frames per second over the last few seconds. */
  detectionsPerSecond(now = performance.now()): number {
    this.trimRate(now);
    const span = Math.min(RATE_WINDOW_MS, Math.max(1000, now - (this.firstResultAt || now)));
    return Math.round(((this.resultTimes.length * 1000) / span) * 100) / 100;
  }

  dispose(): void {
    this.disposed = true;
    this.tracker.clear();
    this.visible = [];
  }

  private trimRate(now: number): void {
    while (this.resultTimes.length && this.resultTimes[0]! < now - RATE_WINDOW_MS) this.resultTimes.shift();
  }

  private trackIdOf(number: number): string {
    return `${this.options.sessionId}-${number}`;
  }

  private trackNumberOf(trackId: string): number {
    return Number(trackId.slice(trackId.lastIndexOf('-') + 1));
  }

  /** The descriptor alone; the crop only if the server asks for it with a ticket. */
  private send(number: number, probe: Probe, crop: string): void {
    const counters = this.options.counters;
    counters.submitted += 1;
    let settled = false;
    const timeout = setTimeout(() => {
      settled = true;
      counters.failed += 1;
      this.tracker.markFailed(number, performance.now());
    }, PROBE_TIMEOUT_MS);
    exchangeProbe(probe, crop, {
      submit: this.options.submitProbe,
      refusalCode: (error) => (error instanceof ProbeRefused ? error.code : null),
      givenUp: () => settled || this.disposed,
    })
      .then((answer) => {
        if (answer.matched) counters.matched += 1;
        // A late "no match" changes nothing; a late match still marks the track.
        if (!this.disposed && (!settled || answer.matched)) this.tracker.markAnswered(number, answer);
      })
      .catch((error: unknown) => {
        if (error instanceof ProbeRefused) counters.refused[error.code] = (counters.refused[error.code] ?? 0) + 1;
        if (!settled) {
          counters.failed += 1;
          if (!this.disposed) this.tracker.markFailed(number, performance.now());
        }
      })
      .finally(() => {
        settled = true;
        clearTimeout(timeout);
      });
  }
}
