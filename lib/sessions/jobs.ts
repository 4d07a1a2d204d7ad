import { deleteEndedSignInWindows } from '@/lib/auth/mutations';
import { startRecurringJob } from '@/lib/jobs/recurring';
import { purgeOldSessions } from './mutations';

/**
 * Deletes session rows a month after they ended or expired, at start-up and hourly (server.ts):
 * a dead row decides nothing any more, and the acts that ended sessions are in the audit trail.
 * Failed sign-in windows that are over go too (their blocks stay until a sign-in records them).
 */
export function startSessionHousekeeping(intervalMs = 3_600_000): () => Promise<void> {
  return startRecurringJob('sessions', intervalMs, async () => {
    const purged = await purgeOldSessions();
    await deleteEndedSignInWindows();
    return purged ? `deleted ${purged} session record(s) ended over 30 days ago` : null;
  });
}
