import { DetectionScheduler, type DetectorStatus } from '@/lib/face/detection-scheduler';
import type { Probe } from '@/lib/face/probe';
import { TileDetection, type ProbeCounters } from './tile-detection';
import type { LiveStats, ProbeResult, PublishedOverlay, SubmitProbe, TileStats } from './types';

/** Descriptors are asked for every few seconds per face: average their rate over a longer window. */
const DESCRIPTOR_RATE_WINDOW_MS = 10_000;

/**
 * What one live grid shares between its tiles: the detector (one scheduler, its workers), the
 * probe counters, the page's submitProbe, one track numbering for all tiles, and a random session
 * id that keeps track ids from colliding with those of an earlier page load. Created when the grid mounts, disposed when it
 * unmounts (which terminates the workers).
 */
export class LiveSession {
  readonly sessionId = randomId();
  readonly probes: ProbeCounters = { submitted: 0, matched: 0, failed: 0, inFlight: 0 };
  private readonly scheduler: DetectionScheduler;
  private readonly tiles = new Map<string, { detection: TileDetection; stats: () => TileStats }>();
  private readonly statusListeners = new Set<(status: DetectorStatus) => void>();
  private submitProbe: SubmitProbe;
  private publishOverlay: ((cameraId: string, overlay: PublishedOverlay) => void) | null = null;
  private trackNumber = 0;
  /** (time, cumulative descriptors) over the last few seconds, for a steady descriptors/s. */
  private readonly descriptorSamples: { at: number; count: number }[] = [];

  constructor(submitProbe: SubmitProbe) {
    this.submitProbe = submitProbe;
    this.scheduler = new DetectionScheduler({
      onStatus: (status) => this.statusListeners.forEach((listener) => listener(status)),
    });
  }

  setSubmitProbe(submitProbe: SubmitProbe): void {
    this.submitProbe = submitProbe;
  }

  /** Where analysed tiles publish their boxes for the other viewers (none: not published). */
  setPublishOverlay(publish: ((cameraId: string, overlay: PublishedOverlay) => void) | null): void {
    this.publishOverlay = publish;
  }

  detectorStatus(): DetectorStatus {
    return this.scheduler.getStatus();
  }

  onDetectorStatus(listener: (status: DetectorStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** A tile joins the detector. Returns its detection and the function that removes it. */
  addTile(cameraId: string, stats: () => TileStats): { detection: TileDetection; remove: () => void } {
    const detection = new TileDetection(
      {
        cameraId,
        sessionId: this.sessionId,
        // Always the grid's latest submitProbe prop, without re-creating tiles when it changes.
        submitProbe: (probe: Probe): Promise<ProbeResult> => this.submitProbe(probe),
        probes: this.probes,
        nextTrackNumber: () => ++this.trackNumber,
        publishOverlay: (overlay) => this.publishOverlay?.(cameraId, overlay),
      },
      () => this.scheduler.poke(),
    );
    const unregister = this.scheduler.register(detection);
    this.tiles.set(cameraId, { detection, stats });
    return {
      detection,
      remove: () => {
        unregister();
        detection.dispose();
        if (this.tiles.get(cameraId)?.detection === detection) this.tiles.delete(cameraId);
      },
    };
  }

  stats(): LiveStats {
    const scheduler = this.scheduler.stats();
    const now = performance.now();
    const samples = this.descriptorSamples;
    samples.push({ at: now, count: scheduler.descriptors });
    while (samples.length > 2 && now - samples[0]!.at > DESCRIPTOR_RATE_WINDOW_MS) samples.shift();
    const oldest = samples[0]!;
    const descriptorsPerSecond = now > oldest.at ? ((scheduler.descriptors - oldest.count) * 1000) / (now - oldest.at) : 0;
    return {
      at: Date.now(),
      detector: this.scheduler.getStatus(),
      tiles: [...this.tiles.values()].map((tile) => tile.stats()),
      detections: scheduler.detections,
      descriptors: scheduler.descriptors,
      descriptorsPerSecond,
      probes: { ...this.probes },
      staleDropped: scheduler.staleDropped,
      failedJobs: scheduler.failedJobs,
      detectMs: scheduler.detectMs,
      workerBusyMs: scheduler.workerBusyMs,
    };
  }

  dispose(): void {
    for (const tile of this.tiles.values()) tile.detection.dispose();
    this.tiles.clear();
    this.statusListeners.clear();
    this.scheduler.dispose();
  }
}

function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(4));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
