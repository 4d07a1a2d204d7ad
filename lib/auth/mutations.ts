import { getDb } from '@/lib/db/client';
import { accountKey, addressKey, blockId, windowKeys, type Block, type BlockScope, type EndedBlock, type Limits } from './rate-limit';

/**
 * Writes of the failed sign-in limiter (./rate-limit.ts). No audit record here: the caller
 * (./sign-in.ts) records failures and blocks. Every write is one statement the database makes
 * atomic, so instances failing, refusing and taking blocks at the same moment never lose a count
 * nor record a block twice.
 */

/** Counts a failure against the account's window and the address's, opening a new window where the last one is over. */
export async function recordSignInFailure(email: string, ip: string | null, limits: Limits, now = Date.now()): Promise<void> {
  const db = getDb();
  const resetAt = new Date(now + limits.windowMs);
  for (const { key } of windowKeys(email, ip)) {
    // A window that is over starts again from nothing. Conditional, so of two instances restarting
    // it at once only the first does; the other's update then finds a window that is not over.
    await db.signInWindow.updateMany({ where: { key, resetAt: { lte: new Date(now) } }, data: { failures: 0, resetAt } });
    // INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1 on both databases: atomic.
    await db.signInWindow.upsert({ where: { key }, create: { key, failures: 1, resetAt }, update: { failures: { increment: 1 } } });
  }
}

/**
 * Counts an attempt refused because `block`'s window is full (signInBlocked said so, just now).
 * `first` is true for the window's first refusal in the whole cluster: the moment to record that
 * a block started.
 */
export async function recordSignInRefusal(
  email: string,
  ip: string | null,
  block: Pick<Block, 'scope' | 'failures' | 'blockedUntil'>,
): Promise<{ first: boolean; failures: number; blockedUntil: Date }> {
  const subject = block.scope === 'account' ? email : ip;
  if (subject === null) throw new Error('recordSignInRefusal: an address block needs the address');
  const key = windowKey(block.scope, subject);
  const row = await getDb().signInBlock.upsert({
    where: { id: blockId(key, block.blockedUntil) },
    create: { id: blockId(key, block.blockedUntil), scope: block.scope, subject, refused: 1, blockedUntil: block.blockedUntil },
    update: { refused: { increment: 1 } },
    select: { refused: true },
  });
  return { first: row.refused === 1, failures: block.failures, blockedUntil: block.blockedUntil };
}

const windowKey = (scope: BlockScope, subject: string) => (scope === 'account' ? accountKey(subject) : addressKey(subject));

/**
 * The blocks whose window is over, each handed to one caller only: the row is deleted by whoever
 * gets there first, and only that caller gets it back (another instance's delete finds nothing).
 */
export async function takeEndedBlocks(now = Date.now()): Promise<EndedBlock[]> {
  const db = getDb();
  const rows = await db.signInBlock.findMany({ where: { blockedUntil: { lte: new Date(now) } }, orderBy: { blockedUntil: 'asc' }, take: 100 });
  const taken: EndedBlock[] = [];
  for (const row of rows) {
    // The count read above is final: refusals come only while the window is still open.
    const { count } = await db.signInBlock.deleteMany({ where: { id: row.id } });
    if (count === 1)
      taken.push({ scope: row.scope === 'address' ? 'address' : 'account', subject: row.subject, refused: row.refused, blockedUntil: row.blockedUntil });
  }
  return taken;
}

/** A successful sign-in clears the account's count (not the address's). */
export async function clearAccountFailures(email: string): Promise<void> {
  await getDb().signInWindow.deleteMany({ where: { key: accountKey(email) } });
}

/** Removes windows that are over (the sessions job): an over window decides nothing. Their blocks stay until taken. */
export async function deleteEndedSignInWindows(now = new Date()): Promise<number> {
  const { count } = await getDb().signInWindow.deleteMany({ where: { resetAt: { lte: now } } });
  return count;
}
