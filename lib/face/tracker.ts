import type { FaceBox } from '@/lib/face/worker-protocol';

/**
 * Follows faces across the frames of one camera tile by box overlap (IoU), so that a face is
 * described and sent as a probe once when it appears and then at most every few seconds — not on
 * every frame — and so its box keeps one colour and one short id while it stays in view.
 *
 * Pure: no timers, no browser APIs; time is passed in (milliseconds, any monotonic clock). It keeps
 * boxes, scores and states only — never a descriptor or an image (docs/rules.md#non-matches:
 * nothing about a face that matched nothing is stored).
 */

/** How often a still-visible, unmatched face is described and probed again. */
export const DESCRIPTOR_INTERVAL_MS = 3000;
/**
 * After a describe or probe failed (face turned away, network, a refusal): try again this soon,
 * doubling with each further failure up to DESCRIPTOR_INTERVAL_MS, so a server that keeps
 * refusing is not asked more often than when all is well.
 */
export const DESCRIPTOR_RETRY_MS = 1000;
/** Minimum overlap for a detection to continue a track. Low, because at 16 tiles a tile is analysed ~1.5×/s. */
export const IOU_THRESHOLD = 0.25;
/** A track survives this many frames without its face (a missed detection, a passing occlusion)… */
export const MAX_MISSED_FRAMES = 3;
/** …and this long at most, whatever the frame rate. */
export const MAX_UNSEEN_MS = 2000;
/** Faces narrower than this (frame pixels) are tracked but not described: too few pixels to compare fairly. */
export const MIN_DESCRIPTOR_FACE_PX = 40;
/** Faces below this detector score are tracked but not described. */
export const MIN_DESCRIPTOR_SCORE = 0.5;
/** At most this many descriptors per frame, so a crowd entering a tile cannot stall the other tiles. */
export const MAX_DESCRIPTORS_PER_FRAME = 2;

export type TrackState = 'detected' | 'checking' | 'matched';

export type Track = {
  /** Short id shown on the overlay (#1, #2, …); see the constructor's nextId. */
  id: number;
  box: FaceBox;
  score: number;
  state: TrackState;
  /** Frames in which the face was found, and consecutive frames in which it was not. */
  hits: number;
  misses: number;
  firstSeenAt: number;
  lastSeenAt: number;
  /** When a descriptor was last asked for; null before the first. */
  lastDescriptorAt: number | null;
  /** Set while a describe job or a probe for this track is under way. */
  pending: boolean;
  /** Failed attempts in a row (reset by an answer). */
  failures: number;
  alertId: string | null;
};

export type TrackerOptions = {
  descriptorIntervalMs: number;
  retryMs: number;
  iouThreshold: number;
  maxMissedFrames: number;
  maxUnseenMs: number;
  minDescriptorFacePx: number;
  minDescriptorScore: number;
  maxDescriptorsPerFrame: number;
};

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = {
  descriptorIntervalMs: DESCRIPTOR_INTERVAL_MS,
  retryMs: DESCRIPTOR_RETRY_MS,
  iouThreshold: IOU_THRESHOLD,
  maxMissedFrames: MAX_MISSED_FRAMES,
  maxUnseenMs: MAX_UNSEEN_MS,
  minDescriptorFacePx: MIN_DESCRIPTOR_FACE_PX,
  minDescriptorScore: MIN_DESCRIPTOR_SCORE,
  maxDescriptorsPerFrame: MAX_DESCRIPTORS_PER_FRAME,
};

export type Detection = { box: FaceBox; score: number };

export type TrackUpdate = {
  /** Tracks whose face is in this frame, in detection order. */
  visible: Track[];
  created: number[];
  lost: number[];
};

/** Intersection over union of two boxes: 0 (apart) … 1 (identical). */
export function iou(a: FaceBox, b: FaceBox): number {
  const x0 = Math.max(a.x, b.x);
  const y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width);
  const y1 = Math.min(a.y + a.height, b.y + b.height);
  const intersection = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - intersection;
  return union > 0 ? intersection / union : 0;
}

export class FaceTracker {
  private readonly options: TrackerOptions;
  private readonly tracks = new Map<number, Track>();
  private readonly nextId: () => number;

  /**
   * `nextId` numbers new tracks; by default 1, 2, 3… per tracker. A live grid passes one counter
   * to all its tiles, so that "#12" names one face on the whole wall.
   */
  constructor(options: Partial<TrackerOptions> = {}, nextId?: () => number) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    let counter = 0;
    this.nextId = nextId ?? (() => ++counter);
  }

  /** Live tracks, including those briefly unseen. */
  all(): Track[] {
    return [...this.tracks.values()];
  }

  get(id: number): Track | undefined {
    return this.tracks.get(id);
  }

  /**
   * Matches this frame's detections to the live tracks (greedy, best overlap first), starts a
   * track for each unmatched detection and ends tracks unseen for too long.
   */
  update(detections: readonly Detection[], now: number): TrackUpdate {
    const { iouThreshold, maxMissedFrames, maxUnseenMs } = this.options;
    const pairs: { trackId: number; index: number; overlap: number }[] = [];
    for (const track of this.tracks.values()) {
      detections.forEach((detection, index) => {
        const overlap = iou(track.box, detection.box);
        if (overlap >= iouThreshold) pairs.push({ trackId: track.id, index, overlap });
      });
    }
    pairs.sort((a, b) => b.overlap - a.overlap);

    const trackOfDetection = new Map<number, Track>();
    const matchedTracks = new Set<number>();
    for (const pair of pairs) {
      if (matchedTracks.has(pair.trackId) || trackOfDetection.has(pair.index)) continue;
      const track = this.tracks.get(pair.trackId)!;
      const detection = detections[pair.index]!;
      track.box = detection.box;
      track.score = detection.score;
      track.hits += 1;
      track.misses = 0;
      track.lastSeenAt = now;
      matchedTracks.add(track.id);
      trackOfDetection.set(pair.index, track);
    }

    const lost: number[] = [];
    for (const track of this.tracks.values()) {
      if (matchedTracks.has(track.id)) continue;
      track.misses += 1;
      if (track.misses > maxMissedFrames || now - track.lastSeenAt > maxUnseenMs) {
        this.tracks.delete(track.id);
        lost.push(track.id);
      }
    }

    const created: number[] = [];
    const visible = detections.map((detection, index) => {
      const existing = trackOfDetection.get(index);
      if (existing) return existing;
      const track: Track = {
        id: this.nextId(),
        box: detection.box,
        score: detection.score,
        state: 'detected',
        hits: 1,
        misses: 0,
        firstSeenAt: now,
        lastSeenAt: now,
        lastDescriptorAt: null,
        pending: false,
        failures: 0,
        alertId: null,
      };
      this.tracks.set(track.id, track);
      created.push(track.id);
      return track;
    });
    return { visible, created, lost };
  }

  /**
   * The visible tracks that need a descriptor now, at most maxDescriptorsPerFrame: never-described
   * faces first, then the longest-waiting; large and confident enough to be worth comparing; not
   * already being checked; not already matched (a match holds for the life of the track).
   * Marks them pending and stamps lastDescriptorAt, so the caller must then either send a probe
   * (markChecking) or report the failure (markFailed).
   */
  takeDescriptorRequests(visible: readonly Track[], now: number): Track[] {
    const { descriptorIntervalMs, minDescriptorFacePx, minDescriptorScore, maxDescriptorsPerFrame } = this.options;
    const due = visible.filter(
      (track) =>
        this.tracks.get(track.id) === track &&
        track.misses === 0 &&
        !track.pending &&
        track.state !== 'matched' &&
        track.box.width >= minDescriptorFacePx &&
        track.score >= minDescriptorScore &&
        (track.lastDescriptorAt === null || now - track.lastDescriptorAt >= descriptorIntervalMs),
    );
    due.sort((a, b) => (a.lastDescriptorAt ?? -Infinity) - (b.lastDescriptorAt ?? -Infinity) || b.box.width - a.box.width);
    const chosen = due.slice(0, maxDescriptorsPerFrame);
    for (const track of chosen) {
      track.pending = true;
      track.lastDescriptorAt = now;
    }
    return chosen;
  }

  /** A probe for the track is on its way to the server. */
  markChecking(id: number): void {
    const track = this.tracks.get(id);
    if (track) track.state = 'checking';
  }

  /** The server's answer. A match sticks for the rest of the track's life. */
  markAnswered(id: number, answer: { matched: boolean; alertId?: string | undefined }): void {
    const track = this.tracks.get(id);
    if (!track) return;
    track.pending = false;
    track.failures = 0;
    if (answer.matched) {
      track.state = 'matched';
      track.alertId = answer.alertId ?? null;
    } else if (track.state !== 'matched') {
      track.state = 'detected';
    }
  }

  /** No descriptor or no answer (landmarks not found, job dropped, network, refused): retry with back-off. */
  markFailed(id: number, now: number): void {
    const track = this.tracks.get(id);
    if (!track) return;
    const { descriptorIntervalMs, retryMs } = this.options;
    track.pending = false;
    track.failures += 1;
    if (track.state === 'checking') track.state = 'detected';
    const delay = Math.min(descriptorIntervalMs, retryMs * 2 ** (track.failures - 1));
    // Pretend the last attempt was long enough ago that the next one is due after `delay`.
    track.lastDescriptorAt = now - descriptorIntervalMs + delay;
  }

  clear(): void {
    this.tracks.clear();
  }
}
