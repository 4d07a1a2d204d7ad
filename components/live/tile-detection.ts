import type { CapturedFrame, FrameInfo, FrameSource } from '@/lib/face/detection-scheduler';
import type { Probe } from '@/lib/face/probe';
import { exchangeProbe, PROBE_TIMEOUT_MS } from '@/lib/face/probe-exchange';
import { FaceTracker, type Track } from '@/lib/face/tracker';
import type { DescribeFace, DescribedFace, DetectedFace } from '@/lib/face/worker-protocol';
import { clearOverlay, drawOverlay } from './tile-overlay';
import { ProbeRefusedError, type ProbeResult, type PublishedOverlay } from './types';

/**
 * One camera tile's side of live detection, outside React (it runs per frame): offers the tile's
 * frames to the shared scheduler, tracks faces, draws the overlay, and turns descriptors into
 * probes. Nothing about a face outlives its probe: a descriptor and crop go from the worker's
 * message straight into one probe object and are not kept here.
 */

/** Without a new frame for this long, a live tile shows "no signal". */
export const NO_SIGNAL_MS = 4000;
/** Boxes older than this are wiped: the detector has fallen behind or the tile stopped being analysed. */
const OVERLAY_MAX_AGE_MS = 1500;
const RATE_WINDOW_MS = 3000;
/** Boxes are published to the other viewers at most this often (10 a second, what the server relays). */
const PUBLISH_EVERY_MS = 100;

export type ProbeCounters = { submitted: number; matched: number; failed: number; inFlight: number };

export type TileDetectionOptions = {
  cameraId: string;
  /** Prefix making track ids unique across page loads: `${sessionId}-${trackNumber}`. */
  sessionId: string;
  submitProbe: (probe: Probe) => Promise<ProbeResult>;
  probes: ProbeCounters;
  /** Numbers new tracks, shared by the grid's tiles so each number names one face on the wall. */
  nextTrackNumber: () => number;
  /** Sends the boxes of an analysed frame to the other viewers of the camera (no descriptor, no crop). */
  publishOverlay?: (overlay: PublishedOverlay) => void;
};

type Media = HTMLVideoElement | HTMLImageElement;

export class TileDetection implements FrameSource {
  private readonly tracker: FaceTracker;
  private media: Media | null = null;
  private overlay: HTMLCanvasElement | null = null;
  private frameCounter = 0;
  private analysedCounter = -1;
  private frameCallback: number | null = null;
  private lastFrameAt = 0;
  private lastResultAt = 0;
  private frameSize = { width: 0, height: 0 };
  private visible: Track[] = [];
  private readonly resultTimes: number[] = [];
  private firstResultAt = 0;
  private disposed = false;
  private publishedAt = -Infinity;
  private publishedFaces = 0;
  /** Set when the picture cannot be read (a cross-origin MJPEG stream). */
  private unreadable = false;
  detections = 0;

  constructor(
    private readonly options: TileDetectionOptions,
    private readonly onFrame: () => void,
  ) {
    this.tracker = new FaceTracker({}, options.nextTrackNumber);
  }

  /** Connects the media element (whose frames are analysed) and the overlay canvas. */
  attach(media: Media, overlay: HTMLCanvasElement, readable: boolean): void {
    this.media = media;
    this.overlay = overlay;
    this.unreadable = !readable;
    if (media instanceof HTMLVideoElement && 'requestVideoFrameCallback' in media) this.watchVideoFrames(media);
    this.updateOverlayData();
  }

  dispose(): void {
    this.disposed = true;
    if (this.frameCallback !== null && this.media instanceof HTMLVideoElement) this.media.cancelVideoFrameCallback(this.frameCallback);
    this.tracker.clear();
    this.visible = [];
    if (this.overlay) clearOverlay(this.overlay);
  }

  // FrameSource -------------------------------------------------------------------------------

  hasFreshFrame(): boolean {
    const media = this.media;
    if (!media || this.unreadable || this.disposed) return false;
    if (media instanceof HTMLImageElement) return media.complete && media.naturalWidth > 0;
    if (media.readyState < HTMLMediaElement.HAVE_CURRENT_DATA || media.videoWidth === 0) return false;
    // Without frame callbacks (older browsers) any playing video counts as fresh.
    return this.frameCallback === null ? !media.paused : this.frameCounter !== this.analysedCounter;
  }

  captureFrame(): CapturedFrame | null | Promise<CapturedFrame | null> {
    const media = this.media;
    if (!media) return null;
    this.analysedCounter = this.frameCounter;
    if (media instanceof HTMLImageElement) {
      const { naturalWidth: width, naturalHeight: height } = media;
      return createImageBitmap(media).then((frame) => ({ frame, width, height }));
    }
    const { videoWidth: width, videoHeight: height } = media;
    // A VideoFrame wraps the decoded picture without copying it (~0 ms on the main thread).
    if (typeof VideoFrame !== 'undefined') {
      try {
        return { frame: new VideoFrame(media), width, height };
      } catch {
        return null; // no frame decoded yet
      }
    }
    return createImageBitmap(media).then((frame) => ({ frame, width, height }));
  }

  onDetections(faces: DetectedFace[], frame: FrameInfo): DescribeFace[] {
    if (this.disposed) return [];
    const now = performance.now();
    this.detections += 1;
    this.lastResultAt = now;
    this.firstResultAt ||= now;
    this.resultTimes.push(now);
    while (this.resultTimes.length && this.resultTimes[0]! < now - RATE_WINDOW_MS) this.resultTimes.shift();
    this.frameSize = { width: frame.width, height: frame.height };
    const update = this.tracker.update(faces, now);
    this.visible = update.visible;
    this.redraw();
    this.publish(now);
    return this.tracker.takeDescriptorRequests(update.visible, now).map((track) => ({ trackId: this.trackIdOf(track.id), box: track.box }));
  }

  onDescriptors(faces: DescribedFace[], failedTrackIds: string[], frame: FrameInfo): void {
    const now = performance.now();
    for (const id of failedTrackIds) this.tracker.markFailed(this.trackNumberOf(id), now);
    for (const face of faces) {
      const number = this.trackNumberOf(face.trackId);
      const track = this.tracker.get(number);
      if (!track) continue; // gone while it was being described: nothing to send
      // The crop stays here unless the server finds the face a candidate and asks for it.
      const probe: Probe = {
        cameraId: this.options.cameraId,
        trackId: face.trackId,
        descriptor: Array.from(face.descriptor),
        box: { ...track.box },
        detectionScore: Math.min(1, Math.max(0, track.score)),
        capturedAt: new Date(frame.capturedAt).toISOString(),
      };
      this.tracker.markChecking(number);
      this.send(number, probe, face.crop);
    }
    this.redraw();
  }

  onDescribeFailed(trackIds: string[]): void {
    const now = performance.now();
    for (const id of trackIds) this.tracker.markFailed(this.trackNumberOf(id), now);
  }

  // Status for the tile's bar and the stats ---------------------------------------------------

  /** Called about once a second by the tile. */
  status(now = performance.now()): {
    lastFrameAgeMs: number | null;
    detectionsPerSecond: number;
    faces: number;
    tracks: number;
    matchedTracks: number;
  } {
    if (this.lastResultAt && now - this.lastResultAt > OVERLAY_MAX_AGE_MS && this.visible.length) {
      this.visible = [];
      this.redraw();
    }
    while (this.resultTimes.length && this.resultTimes[0]! < now - RATE_WINDOW_MS) this.resultTimes.shift();
    // Over the window, or since the first result while the tile is younger than that.
    const span = Math.min(RATE_WINDOW_MS, Math.max(1000, now - (this.firstResultAt || now)));
    const tracks = this.tracker.all();
    return {
      lastFrameAgeMs: this.frameCallback === null || !this.lastFrameAt ? null : now - this.lastFrameAt,
      detectionsPerSecond: (this.resultTimes.length * 1000) / span,
      faces: this.visible.length,
      tracks: tracks.length,
      matchedTracks: tracks.filter((t) => t.state === 'matched').length,
    };
  }

  // -------------------------------------------------------------------------------------------

  private watchVideoFrames(video: HTMLVideoElement): void {
    const onFrame = () => {
      if (this.disposed) return;
      this.frameCounter += 1;
      this.lastFrameAt = performance.now();
      this.frameCallback = video.requestVideoFrameCallback(onFrame);
      this.onFrame();
    };
    this.frameCallback = video.requestVideoFrameCallback(onFrame);
  }

  private trackIdOf(number: number): string {
    return `${this.options.sessionId}-${number}`;
  }

  private trackNumberOf(trackId: string): number {
    return Number(trackId.slice(trackId.lastIndexOf('-') + 1));
  }

  /**
   * Sends a face's probe without its crop; if the server answers that the face is a candidate, sends
   * it again with the crop for verification. The crop is dropped with the answer either way.
   */
  private send(number: number, probe: Probe, crop: string): void {
    const counters = this.options.probes;
    counters.submitted += 1;
    counters.inFlight += 1;
    let settled = false;
    const timeout = setTimeout(() => {
      settled = true;
      counters.failed += 1;
      this.tracker.markFailed(number, performance.now());
      this.redraw();
    }, PROBE_TIMEOUT_MS);
    exchangeProbe(probe, crop, {
      submit: this.options.submitProbe,
      refusalCode: (error) => (error instanceof ProbeRefusedError ? error.code : null),
      givenUp: () => settled || this.disposed,
    })
      .then((answer) => {
        if (answer.matched) counters.matched += 1;
        // A late "no match" changes nothing; a late match still turns the box red.
        if (!settled || answer.matched) this.tracker.markAnswered(number, answer);
      })
      .catch(() => {
        if (!settled) {
          counters.failed += 1;
          this.tracker.markFailed(number, performance.now());
        }
      })
      .finally(() => {
        settled = true;
        clearTimeout(timeout);
        counters.inFlight -= 1;
        if (!this.disposed) this.redraw();
      });
  }

  /**
   * Publishes the boxes of the latest frame to the other viewers, at most every PUBLISH_EVERY_MS;
   * a frame without faces only when the previous one had some (the viewers' boxes then clear).
   */
  private publish(now: number): void {
    const publish = this.options.publishOverlay;
    if (!publish || now - this.publishedAt < PUBLISH_EVERY_MS) return;
    const shown = this.shownTracks();
    if (shown.length === 0 && this.publishedFaces === 0) return;
    this.publishedAt = now;
    this.publishedFaces = shown.length;
    publish({
      frame: { ...this.frameSize },
      faces: shown.map((track) => ({ trackId: this.trackIdOf(track.id), box: { ...track.box }, state: track.state })),
    });
  }

  private shownTracks(): Track[] {
    // Only faces found in the latest frame are drawn; briefly-unseen tracks are kept, not shown.
    return this.visible.filter((track) => track.misses === 0 && this.tracker.get(track.id) === track);
  }

  /** Redraws the latest boxes (after a detection, an answer, or the tile changing size). */
  redraw(): void {
    const overlay = this.overlay;
    if (!overlay || this.disposed) return;
    const shown = this.shownTracks();
    drawOverlay(overlay, this.frameSize, shown);
    this.updateOverlayData(shown);
  }

  /** data-* for tests and tools: faces drawn, live tracks, and how many are being checked / matched. */
  private updateOverlayData(shown: readonly Track[] = []): void {
    const overlay = this.overlay;
    if (!overlay) return;
    overlay.dataset.faces = String(shown.length);
    overlay.dataset.tracks = String(this.tracker.all().length);
    overlay.dataset.checking = String(shown.filter((t) => t.state === 'checking').length);
    overlay.dataset.matched = String(shown.filter((t) => t.state === 'matched').length);
  }
}
