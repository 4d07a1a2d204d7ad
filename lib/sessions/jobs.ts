import { startRecurringJob } from '@/lib/jobs/recurring';
import { purgeOldSessions } from './mutations';

/**
 * Deletes session rows a month after they ended or expired, at start-up and hourly (server.ts):
 * a dead row decides nothing any more, and the acts that ended sessions are in the audit trail.
 */
export function startSessionHousekeeping(intervalMs = 3_600_000): () => Promise<void> {
  return startRecurringJob('sessions', intervalMs, async () => {
    const purged = await purgeOldSessions();
    return purged ? `deleted ${purged} session record(s) ended over 30 days ago` : null;
  });
}
