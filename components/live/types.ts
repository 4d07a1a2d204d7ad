import type { DetectorStatus } from '@/lib/face/detection-scheduler';
import type { Probe } from '@/lib/face/probe';
import type { AnalyserKind, CameraLeaseView, OverlayFrame } from '@/lib/realtime/events';
import type { RemoteOverlays } from './remote-overlays';

export type CameraSourceKind = 'device' | 'file' | 'hls' | 'mjpeg' | 'rtsp';

/**
 * Where a tile's picture comes from. `url` is, by kind: device → the camera's label (or part of
 * it; empty for the default camera); file → an mp4/webm URL (looped, muted); hls → an .m3u8 URL;
 * mjpeg → a multipart JPEG stream URL (same origin, or detection is off); rtsp → an IP camera's
 * rtsp:// address, which no browser plays (the camera agent analyses it).
 */
export type CameraSource = { kind: CameraSourceKind; url: string };

export type LiveCamera = { id: string; name: string; source: CameraSource };

export type ProbeResult = { matched: boolean; alertId?: string; cropNeeded?: boolean; ticket?: string };

/** A probe the server refused, with its code (e.g. `verification_busy`: try again shortly). */
export class ProbeRefusedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProbeRefusedError';
  }
}

/** Injected by the page: sends one probe to the server and resolves with its answer. */
export type SubmitProbe = (probe: Probe) => Promise<ProbeResult>;

export type TileState = 'connecting' | 'live' | 'no-signal' | 'error';

export type TileStats = {
  cameraId: string;
  name: string;
  state: TileState;
  /** Why the tile is in error or without signal, or why detection is off; null otherwise. */
  reason: string | null;
  /** Analysed frames per second over the last few seconds. */
  detectionsPerSecond: number;
  /** Analysed frames since the tile mounted (cumulative, for benchmarks). */
  detections: number;
  /** Faces in the latest analysed frame, and live tracks. */
  faces: number;
  tracks: number;
  matchedTracks: number;
};

export type LiveStats = {
  /** Date.now() when collected. */
  at: number;
  detector: DetectorStatus;
  tiles: TileStats[];
  /** Cumulative since the grid mounted. */
  detections: number;
  descriptors: number;
  descriptorsPerSecond: number;
  probes: { submitted: number; matched: number; failed: number; inFlight: number };
  staleDropped: number;
  failedJobs: number;
  /** Mean worker milliseconds per detection (recent jobs). */
  detectMs: number | null;
  /** Worker milliseconds spent detecting and describing, all workers (cumulative). */
  workerBusyMs: number;
};

/**
 * Who analyses a tile's camera, from the server's lease table (docs/architecture.md#camera-leases).
 * `analyse`: this screen holds the lease, so this tile runs detection and sends probes; otherwise
 * it draws the boxes the holder publishes.
 */
export type TileAnalysis = {
  analyse: boolean;
  /** checking: the lease table has not arrived yet; disconnected: this screen's socket is down, so nobody here knows. */
  analyser: 'self' | AnalyserKind | 'none' | 'checking' | 'disconnected';
  name: string | null;
  warnings: CameraLeaseView['warnings'];
  /** The holder reports the source down, with its reason when it gave one (and the viewer may see it). */
  sourceDown: boolean;
  reason: string | null;
};

/** One analysed frame's boxes, as this screen's tile publishes them for the other viewers. */
export type PublishedOverlay = Pick<OverlayFrame, 'frame' | 'faces'>;

export type LiveGridProps = {
  cameras: LiveCamera[];
  submitProbe: SubmitProbe;
  /** Called about once a second with the grid's figures. */
  onStats?: (stats: LiveStats) => void;
  /**
   * Per camera, who analyses it (the live page, from the leases). Without it every tile analyses
   * its own picture (the development preview).
   */
  analysis?: Record<string, TileAnalysis>;
  /** Boxes relayed from the analysers of the cameras this screen does not analyse. */
  remoteOverlays?: RemoteOverlays;
  /** Publishes the boxes of a frame this screen analysed (throttled by the tile). */
  publishOverlay?: (cameraId: string, overlay: PublishedOverlay) => void;
  /** Told which cameras the grid shows (other pages' tiles are not mounted, so not analysed). */
  onShownCameras?: (cameraIds: string[]) => void;
};
