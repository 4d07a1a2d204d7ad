import { describe, expect, it } from 'vitest';
import { canonicalJson, findBrokenLink, GENESIS_HASH, hashEvent, missingBetween, type ChainLink } from '@/lib/audit/chain';

function chain(n: number): ChainLink[] {
  const links: ChainLink[] = [];
  let prev = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const fields = {
      at: new Date(Date.UTC(2026, 10, 26, 9, 0, i)),
      actorId: `user-${i % 3}`,
      actorEmail: null,
      action: 'auth.signed_in',
      subjectType: null,
      subjectId: null,
      details: canonicalJson({ n: i }),
      ip: '127.0.0.1',
    };
    const hash = hashEvent(prev, fields);
    links.push({ ...fields, seq: i, prevHash: prev, hash });
    prev = hash;
  }
  return links;
}

describe('audit hash chain', () => {
  it('canonical JSON sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[2,{"y":2,"z":1}]},"b":1}');
  });

  it('hashes are stable, 64 hex chars, and depend on the previous hash', () => {
    const [first] = chain(1);
    expect(first!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashEvent(GENESIS_HASH, first!)).toBe(first!.hash);
    expect(hashEvent('f'.repeat(64), first!)).not.toBe(first!.hash);
  });

  it('accepts an intact chain', () => {
    const links = chain(5);
    expect(findBrokenLink(links, GENESIS_HASH)).toEqual({ brokenSeq: null, lastHash: links[4]!.hash });
  });

  it('finds an edited field', () => {
    const links = chain(5);
    links[2] = { ...links[2]!, details: canonicalJson({ n: 999 }) };
    expect(findBrokenLink(links, GENESIS_HASH).brokenSeq).toBe(3);
  });

  it('finds a deleted event (its successor no longer links)', () => {
    const links = chain(5);
    links.splice(1, 1);
    expect(findBrokenLink(links, GENESIS_HASH).brokenSeq).toBe(3);
  });

  it('finds a rewritten hash and corrupted details', () => {
    const links = chain(3);
    links[0] = { ...links[0]!, hash: 'a'.repeat(64) };
    expect(findBrokenLink(links, GENESIS_HASH).brokenSeq).toBe(1);
    const other = chain(3);
    other[1] = { ...other[1]!, details: '{not json' };
    expect(findBrokenLink(other, GENESIS_HASH).brokenSeq).toBe(2);
  });

  it('continues across batches with the carried hash', () => {
    const links = chain(6);
    const first = findBrokenLink(links.slice(0, 3), GENESIS_HASH);
    expect(findBrokenLink(links.slice(3), first.lastHash).brokenSeq).toBeNull();
    expect(findBrokenLink(links.slice(3), GENESIS_HASH).brokenSeq).toBe(4);
  });
});

describe('gaps in the numbering', () => {
  it('names the numbers missing between two events', () => {
    expect(missingBetween(4, 5, 1)).toBeNull();
    expect(missingBetween(4, 6, 1)).toEqual({ from: 5, to: 5 });
    expect(missingBetween(4, 9, 1)).toEqual({ from: 5, to: 8 });
    expect(missingBetween(0, 3, 1)).toEqual({ from: 1, to: 2 }); // the oldest events
  });

  it('ignores numbers before the chain was numbered without gaps', () => {
    expect(missingBetween(2, 9, 10)).toBeNull();
    expect(missingBetween(2, 9, 6)).toEqual({ from: 6, to: 8 });
    expect(missingBetween(7, 9, Infinity)).toBeNull();
  });
});
