import type { AlertView } from '@/lib/alerts/data';
import { DECISION_LABELS, OUTCOME_LABELS, STATUS_LABELS, type Decision, type Outcome } from '@/lib/alerts/state';
import { plural } from '@/lib/format/plural';
import { FACEAPI_ENGINE_ID, type Metric } from '@/lib/recognition/manifest';
import { londonZone } from '@/lib/time/london';

/**
 * Words for the queue. A score means little to a tired operator at 3 a.m.; how far past the
 * threshold it falls means more, so the queue shows a band, a bar and the number together. The
 * score shown is the verifier's — the stronger recogniser's judgement of the probe's own crop —
 * against the threshold the deployment was authorised with (every alert passed it); alerts raised
 * before verification existed show their face-api distance.
 */

/** The score an alert is judged by: which recogniser, its metric, the value and the threshold it passed. */
export type Closeness = { engineId: string; metric: Metric; score: number; threshold: number | null };

/** The alert's closeness: its verification if it has one, else its face-api distance and candidate threshold. */
export function closenessOf(alert: Pick<AlertView, 'distance' | 'candidateThreshold' | 'verification'>, fallbackThreshold: number | null = null): Closeness {
  if (alert.verification) {
    const v = alert.verification;
    return { engineId: v.engineId, metric: v.metric, score: v.score, threshold: v.threshold };
  }
  return { engineId: FACEAPI_ENGINE_ID, metric: 'euclidean', score: alert.distance, threshold: alert.candidateThreshold ?? fallbackThreshold };
}

/** How far past its threshold a score is, in the recogniser's units (positive = a match with room to spare). */
function marginOf(c: Closeness): number | null {
  if (c.threshold === null) return null;
  return c.metric === 'cosine' ? c.score - c.threshold : c.threshold - c.score;
}

export type SimilarityBand = 'very_close' | 'close' | 'near_threshold';

export const SIMILARITY_LABELS: Record<SimilarityBand, string> = {
  very_close: 'Very close',
  close: 'Close',
  near_threshold: 'Near threshold',
};

/**
 * How far past the threshold a score must be for each band. The same numbers serve face-api
 * distances and cosine similarities: both move about 0.3–0.5 between a stranger and a clear match.
 */
export const VERY_CLOSE_MARGIN = 0.15;
export const CLOSE_MARGIN = 0.07;
/** The margin at which the bar is full. */
const FULL_BAR_MARGIN = 0.3;

export function similarityBand(c: Closeness): SimilarityBand {
  const margin = marginOf(c) ?? 0;
  if (margin >= VERY_CLOSE_MARGIN) return 'very_close';
  if (margin >= CLOSE_MARGIN) return 'close';
  return 'near_threshold';
}

/** 0..1: how much of the bar to fill (never empty, so a bar is always visible). */
export function similarityFill(c: Closeness): number {
  return Math.min(1, Math.max(0.06, (marginOf(c) ?? 0) / FULL_BAR_MARGIN));
}

export function formatScore(value: number): string {
  return value.toFixed(3);
}

/** "distance" or "similarity", for labels. */
export function scoreKind(metric: Metric): string {
  return metric === 'cosine' ? 'similarity' : 'distance';
}

/** "just now", "12 s ago", "4 min ago", "2 h ago", "3 d ago" (the clock time is shown beside it). */
export function formatAge(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (seconds < 3) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return `${Math.floor(hours / 24)} d ago`;
}

/** How long an alert has waited, ticking by the second: "8 s", "4 min 05 s", "2 h 13 min". */
export function formatWaited(fromIso: string, now: number): string {
  const seconds = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}

const timeFormat = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: 'Europe/London' });
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZone: 'Europe/London',
});

/**
 * London wall-clock time with the clock named, "21:14:05 GMT" ("5 Dec, 21:14:05 GMT" when older
 * than 20 hours): the deployments are in London, and nobody should read it as the browser's
 * zone or UTC.
 */
export function formatTime(iso: string, now: number): string {
  return `${formatClock(iso, now)} ${londonZone(iso)}`;
}

/** formatTime without the clock's name, for a list that names it once (a group's track in a row). */
export function formatClock(iso: string, now: number): string {
  const d = new Date(iso);
  return now - d.getTime() < 20 * 3_600_000 ? timeFormat.format(d) : dateTimeFormat.format(d);
}

/** "Image deleted after 31 days": the retention period this alert's crop actually had. */
export function cropDeletedText(alert: Pick<AlertView, 'createdAt' | 'cropDeletedAt'>): string {
  if (!alert.cropDeletedAt) return 'Image deleted';
  const days = Math.max(0, Math.round((Date.parse(alert.cropDeletedAt) - Date.parse(alert.createdAt)) / 86_400_000));
  return `Image deleted after ${plural(days, 'day')}`;
}

/** Category names short enough for the narrow panel (the full label is the chip's tooltip). */
export const CATEGORY_SHORT_LABELS: Record<string, string> = {
  wanted_by_court: 'Wanted (court)',
  suspect_serious_offence: 'Suspect',
  missing_vulnerable: 'Missing / vulnerable',
  risk_of_harm: 'Risk of harm',
};

export type StateTone = 'new' | 'claimed' | 'false_alert' | 'engaged' | 'closed';

/** The state as the row shows it: a claimed alert awaiting its decision reads as claimed. */
export function stateOf(alert: Pick<AlertView, 'status' | 'claimedBy' | 'outcome'>): { tone: StateTone; label: string } {
  if (alert.status === 'new' && alert.claimedBy) return { tone: 'claimed', label: 'Claimed' };
  if (alert.status === 'closed' && alert.outcome) return { tone: 'closed', label: OUTCOME_LABELS[alert.outcome] };
  return { tone: alert.status, label: STATUS_LABELS[alert.status] };
}

export function historyLabel(item: AlertView['history'][number]): string {
  if (item.kind === 'decision') return DECISION_LABELS[item.value as Decision] ?? item.value;
  return OUTCOME_LABELS[item.value as Outcome] ?? item.value;
}
