import { getDb, type Prisma } from '@/lib/db/client';
import { containsText } from '@/lib/db/text-search';
import { findBrokenLink, GENESIS_HASH } from './chain';
import type { AuditQuery } from './schema';

/**
 * Reads of the audit trail. Callers must hold 'audit:read' (checked in the route or page).
 */

function whereOf(query: AuditQuery): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = {};
  if (query.actor) {
    // The actor filter matches the email recorded on the event or the user's current email.
    where.OR = [{ actorEmail: containsText(query.actor) }, { actor: { email: containsText(query.actor) } }];
  }
  if (query.action) where.action = query.action;
  if (query.from || query.to) where.at = { gte: query.from, lte: query.to };
  return where;
}

export async function listAuditEvents(query: AuditQuery) {
  const db = getDb();
  const where = whereOf(query);
  const [total, events] = await Promise.all([
    db.auditEvent.count({ where }),
    db.auditEvent.findMany({
      where,
      orderBy: { seq: 'desc' },
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
      include: { actor: { select: { email: true, name: true } } },
    }),
  ]);
  return {
    total,
    page: query.page,
    pageSize: query.pageSize,
    events: events.map((e) => ({
      id: e.seq,
      at: e.at.toISOString(),
      action: e.action,
      actorId: e.actorId,
      actorEmail: e.actor?.email ?? e.actorEmail,
      actorName: e.actor?.name ?? null,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      details: JSON.parse(e.details) as Record<string, unknown>,
      ip: e.ip,
      hash: e.hash,
    })),
  };
}

export type ChainAnchor = { seq: number; hash: string };

export type AuditVerification = {
  /** The chain is unbroken and, when a recorded head was given, still holds it. */
  ok: boolean;
  count: number;
  firstBrokenId: number | null;
  /**
   * The newest event. Recorded somewhere else (a notebook, another system), it lets a later
   * verification prove that no events after it were removed: the chain cannot show that alone.
   */
  head: ChainAnchor | null;
  /** The recorded head that was given, and whether the chain still holds it unchanged. */
  anchor: (ChainAnchor & { status: 'present' | 'missing' | 'different' }) | null;
};

const VERIFY_BATCH = 1000;

/** Walks the whole chain in order, in batches, and reports the first broken link. */
export async function verifyAuditChain(anchor?: ChainAnchor): Promise<AuditVerification> {
  const db = getDb();
  let expectedPrev = GENESIS_HASH;
  let afterSeq = 0;
  let count = 0;
  let head: ChainAnchor | null = null;
  let anchorHash: string | null = null;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: VERIFY_BATCH,
    });
    if (batch.length === 0) break;
    const { brokenSeq, lastHash } = findBrokenLink(batch, expectedPrev);
    if (brokenSeq !== null) {
      const total = await db.auditEvent.count();
      return { ok: false, count: total, firstBrokenId: brokenSeq, head: null, anchor: null };
    }
    if (anchor) anchorHash ??= batch.find((event) => event.seq === anchor.seq)?.hash ?? null;
    count += batch.length;
    expectedPrev = lastHash;
    const last = batch[batch.length - 1]!;
    afterSeq = last.seq;
    head = { seq: last.seq, hash: last.hash };
  }
  if (!anchor) return { ok: true, count, firstBrokenId: null, head, anchor: null };
  const status = anchorHash === null ? 'missing' : anchorHash === anchor.hash ? 'present' : 'different';
  return { ok: status === 'present', count, firstBrokenId: null, head, anchor: { ...anchor, status } };
}
