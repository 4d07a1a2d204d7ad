import { createHash } from 'node:crypto';

/** The one row of AuditHead, the newest event as its writer recorded it (lib/audit/mutations.ts). */
export const AUDIT_HEAD_ID = 1;

/** The predecessor of the first event in the chain. */
export const GENESIS_HASH = '0'.repeat(64);

/** The part of an audit event covered by its hash (everything but seq and the hashes). */
export type ChainedFields = {
  at: Date;
  actorId: string | null;
  actorEmail: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  details: string;
  ip: string | null;
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** JSON with object keys sorted at every depth, so the same event always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value as Json));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const sorted: { [key: string]: Json } = {};
    for (const key of Object.keys(value).sort()) {
      const child = value[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

/** SHA-256 over the previous hash and the canonical event. */
export function hashEvent(prevHash: string, event: ChainedFields): string {
  const body = canonicalJson({
    at: event.at.toISOString(),
    actorId: event.actorId,
    actorEmail: event.actorEmail,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    details: JSON.parse(event.details) as Json,
    ip: event.ip,
  });
  return createHash('sha256').update(prevHash).update('\n').update(body).digest('hex');
}

export type ChainLink = ChainedFields & { seq: number; prevHash: string; hash: string };

/**
 * Checks links in order, carrying the expected predecessor hash between batches.
 * Returns the seq of the first link whose predecessor or own hash is wrong.
 */
export function findBrokenLink(links: readonly ChainLink[], expectedPrevHash: string): { brokenSeq: number | null; lastHash: string } {
  let prev = expectedPrevHash;
  for (const link of links) {
    let recomputed: string;
    try {
      recomputed = hashEvent(link.prevHash, link);
    } catch {
      return { brokenSeq: link.seq, lastHash: prev }; // details no longer valid JSON
    }
    if (link.prevHash !== prev || link.hash !== recomputed) return { brokenSeq: link.seq, lastHash: prev };
    prev = link.hash;
  }
  return { brokenSeq: null, lastHash: prev };
}

/** Event numbers missing from the chain, `from` to `to` inclusive. */
export type SeqGap = { from: number; to: number };

/**
 * The numbers missing between two consecutive events (`prevSeq` 0 before the first), counting only
 * those from `contiguousFrom` on: events are numbered one after another from there
 * (lib/audit/mutations.ts), so a missing one was removed. Null when none is missing.
 */
export function missingBetween(prevSeq: number, seq: number, contiguousFrom: number): SeqGap | null {
  const from = Math.max(prevSeq + 1, contiguousFrom);
  const to = seq - 1;
  return from <= to ? { from, to } : null;
}
