import { getDb } from '@/lib/db/client';

/** A session row with the fields of its user that every check needs. */
export type LiveSessionRow = {
  id: string;
  expiresAt: Date;
  user: { id: string; email: string; name: string; role: string; disabled: boolean; mustChangePassword: boolean };
};

/**
 * The session `sessionId` names, with its user, if it is still alive at `now`: not ended and
 * not past its absolute lifetime. One read by primary key (with the user joined): this runs
 * on every request and socket handshake. Caller decides what a disabled user or a pending
 * password change means.
 */
export async function findLiveSession(sessionId: string, now = new Date()): Promise<LiveSessionRow | null> {
  const row = await getDb().session.findUnique({
    where: { id: sessionId },
    select: {
      id: true,
      expiresAt: true,
      endedAt: true,
      user: { select: { id: true, email: true, name: true, role: true, disabled: true, mustChangePassword: true } },
    },
  });
  if (!row || row.endedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  return { id: row.id, expiresAt: row.expiresAt, user: row.user };
}

/** Of these sessions, those still alive: not ended, not expired, their user not disabled (the sockets' periodic re-check). */
export async function findLiveSessionIds(sessionIds: readonly string[], now = new Date()): Promise<Set<string>> {
  if (sessionIds.length === 0) return new Set();
  const rows = await getDb().session.findMany({
    where: { id: { in: [...sessionIds] }, endedAt: null, expiresAt: { gt: now }, user: { disabled: false } },
    select: { id: true },
  });
  return new Set(rows.map((row) => row.id));
}
