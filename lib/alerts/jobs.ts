import { serverEnv } from '@/lib/config/env';
import { startRecurringJob } from '@/lib/jobs/recurring';
import { flushFaceCounts } from '@/lib/live/face-counts';
import { deleteExpiredCrops, releaseLapsedClaims } from './mutations';

export const ALERT_JOBS_INTERVAL_MS = 30_000;

/**
 * One pass of the alert housekeeping: lapsed claims are released and crops past the retention
 * period are deleted (unless retained). One instance at a time (lib/jobs/recurring.ts).
 */
export async function runAlertHousekeeping(now = new Date()) {
  const released = await releaseLapsedClaims(now);
  const cropsDeleted = await deleteExpiredCrops(serverEnv().ALERT_RETENTION_DAYS, now);
  return { released, cropsDeleted };
}

/**
 * Started by server.ts; returns `stop`. The per-minute face counts are written out on the same
 * beat by every instance: each holds its own counts in memory, and they are added to the stored
 * rows (lib/live/mutations.ts), so two instances flushing the same minute add up.
 */
export function startAlertScheduler(intervalMs = ALERT_JOBS_INTERVAL_MS): () => Promise<void> {
  const stopHousekeeping = startRecurringJob('alerts', intervalMs, async () => {
    const { released, cropsDeleted } = await runAlertHousekeeping();
    return released || cropsDeleted ? `released ${released} lapsed claim(s), deleted ${cropsDeleted} expired crop(s)` : null;
  });
  const stopFlushing = startRecurringJob(
    'face-counts',
    intervalMs,
    async () => {
      await flushFaceCounts();
      return null;
    },
    console,
    { everyInstance: true },
  );
  return async () => {
    await Promise.all([stopHousekeeping(), stopFlushing()]);
  };
}
