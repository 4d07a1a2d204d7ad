import { getDb, type Prisma } from '@/lib/db/client';
import { containsText } from '@/lib/db/text-search';
import { AUDIT_HEAD_ID, findBrokenLink, GENESIS_HASH, missingBetween, type SeqGap } from './chain';
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

/** Whether the chain still holds a head recorded earlier: unchanged, no longer there, or rewritten. */
export type HeadStatus = 'present' | 'missing' | 'different';

export type AuditVerification = {
  /**
   * The chain is unbroken, no number is missing, it still holds the head its writers recorded and,
   * when a recorded head was given, that one too.
   */
  ok: boolean;
  count: number;
  firstBrokenId: number | null;
  /**
   * Event numbers missing, oldest first (at most MAX_LISTED_GAPS ranges): removed events, those
   * after the last one left included when the recorded head is past it.
   */
  gaps: SeqGap[];
  /**
   * The newest event as the writers recorded it beside the chain (AuditHead), and whether the
   * chain still holds it; `absent` when events exist but no head was recorded (it cannot be
   * removed through the database's guard); null for an empty chain with no head.
   */
  recordedHead: { seq: number; status: HeadStatus } | { seq: null; status: 'absent' } | null;
  /**
   * The newest event. Recorded somewhere else (a notebook, another system), it lets a later
   * verification prove that no events after it were removed even by someone who could also
   * rewrite the recorded head: the database alone cannot show that.
   */
  head: ChainAnchor | null;
  /** The recorded head that was given, and whether the chain still holds it unchanged. */
  anchor: (ChainAnchor & { status: HeadStatus }) | null;
};

const VERIFY_BATCH = 1000;
/** Enough to show where to look; a chain with more gaps than this is not to be trusted anywhere. */
export const MAX_LISTED_GAPS = 100;

/**
 * Walks the whole chain in order, in batches: the first broken link, every gap in the numbering,
 * and whether the head recorded beside the chain (and `anchor`, when given) is still in it.
 * The recorded head is read first, so events written while this runs are newer than it, not missing.
 */
export async function verifyAuditChain(anchor?: ChainAnchor): Promise<AuditVerification> {
  const db = getDb();
  const recorded = await db.auditHead.findUnique({ where: { id: AUDIT_HEAD_ID } });
  const contiguousFrom = recorded?.contiguousFrom ?? Infinity;
  const gaps: SeqGap[] = [];
  const noteGap = (gap: SeqGap | null) => {
    if (gap && gaps.length < MAX_LISTED_GAPS) gaps.push(gap);
  };
  let expectedPrev = GENESIS_HASH;
  let firstBrokenId: number | null = null;
  let afterSeq = 0;
  let count = 0;
  let last: ChainAnchor | null = null;
  let recordedHash: string | null = null;
  let anchorHash: string | null = null;
  for (;;) {
    const batch = await db.auditEvent.findMany({
      where: { seq: { gt: afterSeq } },
      orderBy: { seq: 'asc' },
      take: VERIFY_BATCH,
    });
    if (batch.length === 0) break;
    if (firstBrokenId === null) {
      const { brokenSeq, lastHash } = findBrokenLink(batch, expectedPrev);
      firstBrokenId = brokenSeq;
      expectedPrev = lastHash;
    }
    for (const event of batch) {
      noteGap(missingBetween(afterSeq, event.seq, contiguousFrom));
      afterSeq = event.seq;
      if (recorded && event.seq === recorded.seq) recordedHash = event.hash;
      if (anchor && event.seq === anchor.seq) anchorHash = event.hash;
    }
    count += batch.length;
    const newest = batch[batch.length - 1]!;
    last = { seq: newest.seq, hash: newest.hash };
  }

  let recordedHead: AuditVerification['recordedHead'] = null;
  if (recorded) {
    recordedHead = { seq: recorded.seq, status: headStatus(recordedHash, recorded.hash) };
    // The newest events removed, and nothing written since: the numbers up to the recorded head.
    noteGap(missingBetween(last?.seq ?? 0, recorded.seq + 1, contiguousFrom));
  } else if (count > 0) {
    recordedHead = { seq: null, status: 'absent' };
  }
  const anchorResult = anchor ? { ...anchor, status: headStatus(anchorHash, anchor.hash) } : null;
  const ok =
    firstBrokenId === null &&
    gaps.length === 0 &&
    (recordedHead === null || recordedHead.status === 'present') &&
    (anchorResult === null || anchorResult.status === 'present');
  // A broken chain has no head worth recording.
  return { ok, count, firstBrokenId, gaps, recordedHead, head: firstBrokenId === null ? last : null, anchor: anchorResult };
}

function headStatus(found: string | null, expected: string): HeadStatus {
  return found === null ? 'missing' : found === expected ? 'present' : 'different';
}
