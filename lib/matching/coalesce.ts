/**
 * Coalescing of repeat sightings (DOMAIN.md: "the same person seen again on the same camera within
 * a short window updates the open alert instead of raising another"). A match for the same entry
 * on the same camera of the same deployment within COALESCE_WINDOW_MS of the previous sighting
 * updates that alert (best crop and distance, sighting count); otherwise it raises a new one.
 *
 * The window slides: every sighting, new or coalesced, restarts it (`remember` after each). A
 * person who stays in view — standing at a bus stop for five minutes, seen every few seconds —
 * is one alert with many sightings, not ten alerts an operator must triage one by one. The alert
 * closes for coalescing once the person has been out of view for the whole window, or earlier if
 * the caller calls `forget` (say, when an operator has decided the alert, so that a later
 * sighting asks for a fresh decision).
 *
 * Pure and in memory: the state is only a shortcut to "which alert is open for this key"; losing
 * it (a restart) costs at most one extra alert, never a missed one. Memory is bounded: keys
 * expire a window after their last sighting, and past `maxKeys` the stalest are evicted first
 * (again, at worst an extra alert).
 *
 * `decide` and `remember` for one key must not interleave with another `decide` for that key:
 * the caller handles a camera's faces one after another (e.g. one queue per camera), otherwise two
 * sightings could both be told 'new' while the first alert is still being written.
 */

/** How long after a sighting a new sighting of the same entry on the same camera still coalesces. */
export const COALESCE_WINDOW_MS = 30_000;

export type SightingKey = { deploymentId: string; cameraId: string; entryId: string };

export type CoalesceDecision = { kind: 'new' } | { kind: 'update'; alertId: string };

type OpenAlert = { alertId: string; lastSeenAt: number };

export class AlertCoalescer {
  /** Insertion order = order of last sighting (each `remember` re-inserts), so the oldest come first. */
  private readonly open = new Map<string, OpenAlert>();

  constructor(
    readonly windowMs: number = COALESCE_WINDOW_MS,
    readonly maxKeys: number = 100_000,
  ) {
    if (!(windowMs >= 0) || !(maxKeys >= 1)) throw new RangeError('windowMs must be ≥ 0 and maxKeys ≥ 1.');
  }

  /**
   * What to do with a match for `key` seen at `at` (epoch ms, server time): update the open alert
   * if the previous sighting was at most windowMs earlier, else raise a new one. Does not change
   * any state; call `remember` once the alert is written.
   */
  decide(key: SightingKey, at: number): CoalesceDecision {
    const open = this.open.get(keyOf(key));
    if (open && at - open.lastSeenAt <= this.windowMs) return { kind: 'update', alertId: open.alertId };
    return { kind: 'new' };
  }

  /**
   * Records that `alertId` is the open alert for `key`, last seen at `at` (epoch ms): call it after
   * every sighting, new or coalesced, so the window slides. A sighting older than the one already
   * recorded (frames can arrive out of order) keeps the later time.
   */
  remember(key: SightingKey, alertId: string, at: number): void {
    const k = keyOf(key);
    const previous = this.open.get(k);
    const lastSeenAt = previous && previous.alertId === alertId ? Math.max(previous.lastSeenAt, at) : at;
    this.open.delete(k);
    this.open.set(k, { alertId, lastSeenAt });
    this.expire(lastSeenAt);
  }

  /** Closes the key for coalescing (e.g. the alert was decided): its next sighting raises a new alert. */
  forget(key: SightingKey): void {
    this.open.delete(keyOf(key));
  }

  /** Drops every key of a deployment (it has ended). */
  forgetDeployment(deploymentId: string): void {
    const prefix = `${deploymentId}${SEPARATOR}`;
    for (const k of this.open.keys()) if (k.startsWith(prefix)) this.open.delete(k);
  }

  /** Keys currently held (expired ones may linger until the next `remember`). */
  get size(): number {
    return this.open.size;
  }

  /**
   * Removes keys whose window has passed, oldest first, stopping at the first live one: amortised
   * O(1) per call. Then enforces maxKeys.
   */
  private expire(now: number): void {
    for (const [k, open] of this.open) {
      if (now - open.lastSeenAt <= this.windowMs && this.open.size <= this.maxKeys) break;
      this.open.delete(k);
    }
  }
}

/** Ids are cuids or similar; NUL cannot occur in them, so the joined key is unambiguous. */
const SEPARATOR = '\u0000';

function keyOf(key: SightingKey): string {
  return `${key.deploymentId}${SEPARATOR}${key.cameraId}${SEPARATOR}${key.entryId}`;
}
