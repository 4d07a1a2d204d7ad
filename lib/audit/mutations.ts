import { dbProvider, getDb, type Tx } from '@/lib/db/client';
import type { AuditAction } from './actions';
import { AUDIT_HEAD_ID, canonicalJson, GENESIS_HASH, hashEvent } from './chain';

export type AuditInput = {
  action: AuditAction;
  actorId?: string | null;
  actorEmail?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  details?: Record<string, unknown>;
  ip?: string | null;
};

export type Audit = (event: AuditInput) => Promise<void>;

// Any constant works; it only has to be the same for every writer of the chain.
const AUDIT_CHAIN_LOCK = 7_400_312;

/**
 * Runs `work` in one database transaction together with the audit records it writes, so a
 * change can never land without its record (nor a record without its change).
 *
 * The chain needs a single writer at a time: on PostgreSQL a transaction-scoped advisory
 * lock, taken first, serialises audited writes (which also makes read-then-write checks such
 * as "is this the last admin?" safe); SQLite allows one writer by design. The unique
 * constraint on prevHash is the last line of defence: a forked chain cannot be stored.
 */
export async function auditedTransaction<T>(work: (tx: Tx, audit: Audit) => Promise<T>, options?: { timeout?: number }): Promise<T> {
  const db = getDb();
  return db.$transaction(async (tx) => work(tx, await joinAuditChain(tx)), options);
}

/**
 * The audit writer for a transaction the caller opened, for one that learns only part-way through
 * whether it writes a record (a sighting updates an open alert, or raises a new one). Takes the
 * chain's lock now, so call it before locking anything audited writers lock after the chain (a
 * deployment's row), or the two can deadlock; everything read before it may have changed.
 */
export async function joinAuditChain(tx: Tx): Promise<Audit> {
  if (dbProvider() === 'postgresql') {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  }
  return (event) => appendAuditEvent(tx, event);
}

/**
 * Appends one event inside the caller's transaction. Call only through auditedTransaction.
 *
 * The event's number and predecessor come from AuditHead, not from the newest row: numbers then
 * run on without a gap (a rolled-back transaction rolls the head back too, where PostgreSQL's
 * sequence would have skipped a number), and removing the newest events does not make the next
 * one link to what is left — it links to the removed head, and the verifier names the gap.
 */
async function appendAuditEvent(tx: Tx, input: AuditInput): Promise<void> {
  const head = await tx.auditHead.findUnique({ where: { id: AUDIT_HEAD_ID } });
  // No head yet: a new database (or one migrated before there were events).
  const last = head ? null : await tx.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  const prevSeq = head?.seq ?? last?.seq ?? 0;
  const prevHash = head?.hash ?? last?.hash ?? GENESIS_HASH;
  const fields = {
    // Millisecond precision survives both databases, so the hash input round-trips.
    at: new Date(),
    actorId: input.actorId ?? null,
    actorEmail: input.actorEmail ?? null,
    action: input.action,
    subjectType: input.subjectType ?? null,
    subjectId: input.subjectId ?? null,
    details: canonicalJson(input.details ?? {}),
    ip: input.ip ?? null,
  };
  const seq = prevSeq + 1;
  const hash = hashEvent(prevHash, fields);
  await tx.auditEvent.create({ data: { seq, ...fields, prevHash, hash } });
  if (head) await tx.auditHead.update({ where: { id: AUDIT_HEAD_ID }, data: { seq, hash } });
  else await tx.auditHead.create({ data: { id: AUDIT_HEAD_ID, seq, hash, contiguousFrom: seq } });
}

/** Records an event that changes nothing else (sign-in, failed sign-in, a view). */
export async function recordAuditEvent(event: AuditInput): Promise<void> {
  await auditedTransaction((_tx, audit) => audit(event));
}
