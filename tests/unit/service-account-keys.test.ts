import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiKey, hashSecret, parseApiKey, secretMatches } from '@/lib/service-accounts/keys';
import { newRefusalLimiter, REFUSAL_ROWS_PER_MINUTE, takeRefusalRecord } from '@/lib/service-accounts/refusal-limit';

describe('API keys', () => {
  it('makes slk_<24 hex>_<43 base64url> keys whose secret only the stored hash recognises', () => {
    const key = generateApiKey();
    expect(key.text).toMatch(/^slk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    const parsed = parseApiKey(key.text)!;
    expect(parsed.keyId).toBe(key.keyId);
    expect(key.secretHash).toBe(hashSecret(parsed.secret));
    expect(key.secretHash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.text).not.toContain(key.secretHash);
    expect(secretMatches(parsed.secret, key.secretHash)).toBe(true);
    // one character off, another key's secret, a hash of the wrong length: no match, no throw
    const other = parseApiKey(generateApiKey().text)!;
    expect(secretMatches(other.secret, key.secretHash)).toBe(false);
    expect(secretMatches(`${parsed.secret.slice(0, -1)}${parsed.secret.endsWith('A') ? 'B' : 'A'}`, key.secretHash)).toBe(false);
    expect(secretMatches(parsed.secret, key.secretHash.slice(2))).toBe(false);
    expect(generateApiKey().keyId).not.toBe(key.keyId);
  });

  it('refuses malformed key text', () => {
    const { text } = generateApiKey();
    for (const bad of [
      '',
      'slk_',
      text.slice(0, -1),
      `${text}x`,
      text.replace('slk_', 'sk_'),
      text.toUpperCase(),
      ` ${text}`,
      text.replace(/_/, '-'),
      'slk_zzzzzzzzzzzzzzzzzzzzzzzz_' + 'a'.repeat(43),
    ]) {
      expect(parseApiKey(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('reads a bearer credential out of an Authorization header, and nothing out of other schemes', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken(null)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerToken('Bearer slk_abc')).toBe('slk_abc');
    expect(bearerToken('bearer   slk_abc  ')).toBe('slk_abc');
    expect(bearerToken('Bearer')).toBe('');
  });
});

describe('refusal audit limit', () => {
  const junk = (ip: string) => ({ subject: `unknown|${ip}`, budget: 'junk' as const });

  it('records one refusal a minute per sender, then the count of those left out', () => {
    const limiter = newRefusalLimiter();
    const t0 = 1_000_000;
    const a = { subject: 'key:a|1.2.3.4', budget: 'key' as const };
    expect(takeRefusalRecord(a, t0, limiter)).toMatchObject({ record: true, unrecordedBefore: 0 });
    for (let i = 1; i <= 50; i++) expect(takeRefusalRecord(a, t0 + i * 100, limiter).record).toBe(false);
    // another sender is not held back by the first
    expect(takeRefusalRecord({ subject: 'key:b|1.2.3.4', budget: 'key' }, t0 + 1000, limiter).record).toBe(true);
    expect(takeRefusalRecord(a, t0 + 60_000, limiter)).toMatchObject({ record: true, unrecordedBefore: 50, summary: null });
  });

  it('limits a service account out of scope per account, whatever deployments it names, and keeps samples of them', () => {
    const limiter = newRefusalLimiter();
    const t0 = 2_000_000;
    const outOfScope = (deploymentId: string, at: number) => takeRefusalRecord({ subject: 'scope:agent-1', budget: 'key', sample: deploymentId }, at, limiter);
    expect(outOfScope('d-0', t0).record).toBe(true);
    for (let i = 1; i <= 300; i++) expect(outOfScope(`d-${i}`, t0 + i).record).toBe(false);
    const next = outOfScope('d-last', t0 + 60_000);
    expect(next).toMatchObject({ record: true, unrecordedBefore: 300 });
    expect(next.samples).toEqual(['d-1', 'd-2', 'd-3', 'd-4', 'd-5']);
  });

  it('gives refusals of real keys a budget of their own: a flood of junk keys does not hide a revoked key', () => {
    const limiter = newRefusalLimiter();
    const t0 = 3_000_000;
    let recorded = 0;
    for (let i = 0; i < 1000; i++) if (takeRefusalRecord(junk(`10.0.${i >> 8}.${i & 255}`), t0 + i, limiter).record) recorded++;
    expect(recorded).toBe(REFUSAL_ROWS_PER_MINUTE);
    expect(takeRefusalRecord({ subject: 'key:stolen|203.0.113.9', budget: 'key' }, t0 + 1001, limiter).record).toBe(true);
  });

  it('writes what a full budget left out as a summary of its own, not charged to the next sender', () => {
    const limiter = newRefusalLimiter();
    const t0 = 5_000_000;
    let recorded = 0;
    for (let i = 0; i < 500; i++) if (takeRefusalRecord(junk(`10.0.${i >> 8}.${i & 255}`), t0 + i, limiter).record) recorded++;
    expect(recorded).toBe(REFUSAL_ROWS_PER_MINUTE);
    const next = takeRefusalRecord(junk('192.168.0.1'), t0 + 60_001, limiter);
    expect(next).toMatchObject({ record: true, unrecordedBefore: 0 });
    expect(next.summary).toMatchObject({ budget: 'junk', windowStart: t0, overBudget: 380 });
  });

  it('does not lose a sender’s count when it never comes back: the summary carries it', () => {
    const limiter = newRefusalLimiter();
    const t0 = 7_000_000;
    const gone = { subject: 'scope:agent-gone', budget: 'key' as const };
    expect(takeRefusalRecord(gone, t0, limiter).record).toBe(true);
    for (let i = 1; i <= 7; i++) takeRefusalRecord({ ...gone, sample: `d-${i}` }, t0 + i, limiter);
    const later = takeRefusalRecord({ subject: 'key:other|1.1.1.1', budget: 'key' }, t0 + 61_000, limiter);
    expect(later).toMatchObject({ record: true, unrecordedBefore: 0 });
    expect(later.summary).toMatchObject({ overBudget: 0, sendersUnrecorded: 7, senders: [{ subject: 'scope:agent-gone', unrecorded: 7 }] });
    // written once: the next minute's summary does not repeat it
    expect(takeRefusalRecord({ subject: 'key:third|1.1.1.1', budget: 'key' }, t0 + 122_000, limiter).summary).toBeNull();
  });
});
