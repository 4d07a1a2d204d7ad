import { getDb } from '@/lib/db/client';
import { windowKeys, type Block, type Limits } from './rate-limit';

/** Whether this account or address has used up its failures (in any instance); with the seconds to wait. */
export async function signInBlocked(email: string, ip: string | null, limits: Limits, now = Date.now()): Promise<{ blocked: false } | Block> {
  const candidates = windowKeys(email, ip);
  const rows = await getDb().signInWindow.findMany({
    where: { key: { in: candidates.map((c) => c.key) }, resetAt: { gt: new Date(now) } },
  });
  // The account's window first, as the message to the person names it.
  for (const { key, scope } of candidates) {
    const w = rows.find((r) => r.key === key);
    const max = scope === 'account' ? limits.perAccount : limits.perAddress;
    if (w && w.failures >= max) {
      return { blocked: true, retryAfterSeconds: Math.ceil((w.resetAt.getTime() - now) / 1000), scope, failures: w.failures, blockedUntil: w.resetAt };
    }
  }
  return { blocked: false };
}
