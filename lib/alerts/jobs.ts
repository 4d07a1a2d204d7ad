import { serverEnv } from '@/lib/config/env';
import { startRecurringJob } from '@/lib/jobs/recurring';
import { flushFaceCounts } from '@/lib/live/face-counts';
import { deleteExpiredCrops, releaseLapsedClaims } from './mutations';

export const ALERT_JOBS_INTERVAL_MS = 30_000;

/**
 * One pass of the alert housekeeping: lapsed claims are released, crops past the retention
 * period are deleted (unless retained), and the per-minute face counts are written out.
 */
export async function runAlertHousekeeping(now = new Date()) {
  const released = await releaseLapsedClaims(now);
  const cropsDeleted = await deleteExpiredCrops(serverEnv().ALERT_RETENTION_DAYS, now);
  const faceCountRows = await flushFaceCounts(now);
  return { released, cropsDeleted, faceCountRows };
}

/** Started by server.ts; returns `stop`. */
export function startAlertScheduler(intervalMs = ALERT_JOBS_INTERVAL_MS): () => Promise<void> {
  return startRecurringJob('alerts', intervalMs, async () => {
    const { released, cropsDeleted } = await runAlertHousekeeping();
    return released || cropsDeleted ? `released ${released} lapsed claim(s), deleted ${cropsDeleted} expired crop(s)` : null;
  });
}
