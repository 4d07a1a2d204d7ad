import { startRecurringJob } from '@/lib/jobs/recurring';
import { findExpiredLiveDeploymentIds, findLeftoverSnapshotDeploymentIds } from './data';
import { endExpiredDeployment, purgeLeftoverSnapshot } from './mutations';

/**
 * Deployment housekeeping, run by the server at start-up and every minute:
 * - a live deployment whose window has closed is ended by the system (audited as
 *   'deployment.ended', actor none, reason 'window closed') — cameras must stop sending faces;
 * - any snapshot of a deployment that is not live is purged at once, which is well within the
 *   24 hours of docs/rules.md#snapshots. (Ending, suspending and cancelling already purge in their own
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
 * Housekeeping now and every minute (server.ts); returns `stop` for a clean shutdown. `jobName`
 * names the job across instances (lib/jobs/recurring.ts): a second scheduler run beside a server
 * on the same PostgreSQL database (a test) needs a name of its own, or it waits for the server's
 * lead on 'deployments' and never runs.
 */
export function startDeploymentScheduler({
  intervalMs = HOUSEKEEPING_INTERVAL_MS,
  log = console,
  jobName = 'deployments',
}: {
  intervalMs?: number;
  log?: Pick<Console, 'log' | 'error'>;
  jobName?: string;
} = {}): () => Promise<void> {
  return startRecurringJob(
    jobName,
    intervalMs,
    async () => {
      const { ended, purged } = await runDeploymentHousekeeping();
      return ended.length || purged.length ? `housekeeping: ended ${ended.length} deployment(s), purged ${purged.length} snapshot(s)` : null;
    },
    log,
  );
}
