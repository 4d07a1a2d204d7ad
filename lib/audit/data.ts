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

export type AuditVerification = { ok: boolean; count: number; firstBrokenId: number | null };

const VERIFY_BATCH = 1000;

/** Walks the whole chain in order, in batches, and reports the first broken link. */
export async function verifyAuditChain(): Promise<AuditVerification> {
  const db = getDb();
  let expectedPrev = GENESIS_HASH;
  let afterSeq = 0;
  let count = 0;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: VERIFY_BATCH,
    });
    if (batch.length === 0) return { ok: true, count, firstBrokenId: null };
    const { brokenSeq, lastHash } = findBrokenLink(batch, expectedPrev);
    if (brokenSeq !== null) {
      const total = await db.auditEvent.count();
      return { ok: false, count: total, firstBrokenId: brokenSeq };
    }
    count += batch.length;
    expectedPrev = lastHash;
    afterSeq = batch[batch.length - 1]!.seq;
  }
}
