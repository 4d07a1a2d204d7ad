import type { Toast } from '@/components/ui/toast';
import type { AlertView } from '@/lib/alerts/data';
import { CLAIM_TIMEOUT_MS } from '@/lib/alerts/state';
import type { ClaimLost } from '@/lib/realtime/events';

/** Under this much time left the countdown turns amber: time to decide or extend. */
export const CLAIM_WARN_MS = 60_000;

export type ClaimClock = {
  /** Milliseconds until the claim lapses (0 once past: the server releases it within a beat). */
  remainingMs: number;
  tone: 'ok' | 'warn' | 'lapsing';
  /** "4:32", "0:09"; "0:00" once past. */
  text: string;
};

/** "m:ss" of a duration, rounded up so a claim shows 0:00 only when it has truly run out. */
export function formatCountdown(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** How long a held claim has left at `now` (server time); null when nobody holds the alert. */
export function claimClock(alert: Pick<AlertView, 'claimedBy' | 'claimExpiresAt'>, now: number): ClaimClock | null {
  if (!alert.claimedBy || !alert.claimExpiresAt) return null;
  const remainingMs = Math.max(0, Date.parse(alert.claimExpiresAt) - now);
  return { remainingMs, tone: remainingMs === 0 ? 'lapsing' : remainingMs <= CLAIM_WARN_MS ? 'warn' : 'ok', text: formatCountdown(remainingMs) };
}

type Claim = Pick<AlertView, 'claimedBy' | 'claimExpiresAt'>;

/**
 * The claim of a queue item as its countdown shows it: the lead's holder and the EARLIEST expiry
 * among the members that holder has, so the countdown never promises more time than the first
 * sighting to lapse has left (each alert's claim lapses on its own).
 */
export function groupClaim(alerts: readonly Claim[]): Claim {
  const lead = alerts[0];
  if (!lead?.claimedBy) return { claimedBy: null, claimExpiresAt: null };
  let earliest: string | null = null;
  for (const a of alerts) {
    if (a.claimedBy?.id !== lead.claimedBy.id || !a.claimExpiresAt) continue;
    if (earliest === null || Date.parse(a.claimExpiresAt) < Date.parse(earliest)) earliest = a.claimExpiresAt;
  }
  return { claimedBy: lead.claimedBy, claimExpiresAt: earliest };
}

/**
 * Whether a queue row shows the claim's countdown: to the holder (time to decide or extend) and to
 * those who may release anyone's claim (senior officers); another operator's countdown on every
 * row is only noise.
 */
export function showsRowCountdown(alert: Pick<AlertView, 'claimedBy'>, viewerId: string, releaseAny: boolean): boolean {
  return alert.claimedBy !== null && (alert.claimedBy.id === viewerId || releaseAny);
}

/** The members of a group the viewer holds: the ones an extension covers. */
export function heldByViewer<T extends Pick<AlertView, 'claimedBy'>>(alerts: readonly T[], viewerId: string): T[] {
  return alerts.filter((a) => a.claimedBy?.id === viewerId);
}

const zoneFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  timeZoneName: 'short',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'short', day: 'numeric', month: 'short' });

/** "21:55:10 GMT" (or BST), with the day in front when it is not the same London day as `now`. */
export function londonTimeWithZone(iso: string, now: number): string {
  const at = new Date(iso);
  const time = zoneFormat.format(at);
  return dayFormat.format(at) === dayFormat.format(new Date(now)) ? time : `${dayFormat.format(at)}, ${time}`;
}

/** The words of a claim-lost notice: who took it, or that it lapsed, and when (London time, zone named). */
export function claimLostToast(lost: ClaimLost, now = Date.now()): Toast {
  const what = lost.name === null ? 'an alert of a deployment you can no longer see' : `the alert for ${lost.name} (${lost.camera ?? 'unknown camera'})`;
  const when = londonTimeWithZone(lost.at, now);
  const minutes = Math.round(CLAIM_TIMEOUT_MS / 60_000);
  return lost.reason === 'released'
    ? {
        id: `${lost.alertId}@${lost.at}`,
        tone: 'warn',
        title: 'Your claim was taken away',
        text: `${lost.by?.name ?? 'A senior officer'} released your claim on ${what} at ${when}. Claim it again if you still need to decide it.`,
      }
    : {
        id: `${lost.alertId}@${lost.at}`,
        tone: 'warn',
        title: 'Your claim lapsed',
        text: `Nothing was done on ${what} for ${minutes} minutes, so your claim was released at ${when}. Claim it again to carry on.`,
      };
}
