import { findExpiredLiveDeploymentIds, findLeftoverSnapshotDeploymentIds } from './data';
import { endExpiredDeployment, purgeLeftoverSnapshot } from './mutations';

/**
 * Deployment housekeeping, run by the server at start-up and every minute:
 * - a live deployment whose window has closed is ended by the system (audited as
 *   'deployment.ended', actor none, reason 'window closed') — cameras must stop sending faces;
 * - any snapshot of a deployment that is not live is purged at once, which is well within
 *   DOMAIN.md's 24 hours. (Ending, suspending and cancelling already purge in their own
 *   transaction; this catches anything left, e.g. from a crash or an older version.)
 * Each deployment is handled in its own transaction, so one failure does not block the rest.
 */
export type HousekeepingResult = { ended: string[]; purged: string[] };

/** Runs one pass. `now` is a parameter so tests can run it "later" without waiting. No caller permission: system only. */
export async function runDeploymentHousekeeping(now: Date = new Date()): Promise<HousekeepingResult> {
  const result: HousekeepingResult = { ended: [], purged: [] };
  for (const id of await findExpiredLiveDeploymentIds(now)) {
    if (await endExpiredDeployment(id, now)) result.ended.push(id);
  }
  for (const id of await findLeftoverSnapshotDeploymentIds()) {
    if (await purgeLeftoverSnapshot(id)) result.purged.push(id);
  }
  return result;
}

export const HOUSEKEEPING_INTERVAL_MS = 60_000;

/**
 * Runs housekeeping now and then every `intervalMs` (server.ts calls this once after
 * migrations). The timer is unref'd so it never keeps the process alive; runs never overlap;
 * a failing run is logged and the next one tries again. Returns `stop`, which clears the timer
 * and resolves once a run in progress has finished (for a clean shutdown).
 */
export function startDeploymentScheduler({
  intervalMs = HOUSEKEEPING_INTERVAL_MS,
  log = console,
}: { intervalMs?: number; log?: Pick<Console, 'log' | 'error'> } = {}): () => Promise<void> {
  let current: Promise<void> | null = null;
  const tick = () => {
    if (current) return;
    current = runDeploymentHousekeeping()
      .then(({ ended, purged }) => {
        if (ended.length || purged.length) {
          log.log(`[deployments] housekeeping: ended ${ended.length} deployment(s), purged ${purged.length} snapshot(s)`);
        }
      })
      .catch((error: unknown) => log.error('[deployments] housekeeping failed', error))
      .finally(() => {
        current = null;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await current;
  };
}
