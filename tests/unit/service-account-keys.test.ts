import { describe, expect, it } from 'vitest';
import { bearerToken, generateApiKey, hashSecret, parseApiKey, secretMatches } from '@/lib/service-accounts/keys';
import { newRefusalLimiter, takeRefusalRecord } from '@/lib/service-accounts/refusal-limit';

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
  it('records one refusal a minute per subject, then the count of those left out', () => {
    const limiter = newRefusalLimiter();
    const t0 = 1_000_000;
    expect(takeRefusalRecord('key:a|1.2.3.4', t0, limiter)).toEqual({ record: true, unrecordedBefore: 0 });
    for (let i = 1; i <= 50; i++) expect(takeRefusalRecord('key:a|1.2.3.4', t0 + i * 100, limiter).record).toBe(false);
    // another subject is not held back by the first
    expect(takeRefusalRecord('key:b|1.2.3.4', t0 + 1000, limiter).record).toBe(true);
    expect(takeRefusalRecord('key:a|1.2.3.4', t0 + 60_000, limiter)).toEqual({ record: true, unrecordedBefore: 50 });
  });

  it('caps the records of all subjects together, and carries the rest into the next record', () => {
    const limiter = newRefusalLimiter();
    const t0 = 5_000_000;
    let recorded = 0;
    for (let i = 0; i < 500; i++) if (takeRefusalRecord(`unknown|10.0.${i >> 8}.${i & 255}`, t0 + i, limiter).record) recorded++;
    expect(recorded).toBe(120);
    expect(takeRefusalRecord('unknown|192.168.0.1', t0 + 60_001, limiter)).toEqual({ record: true, unrecordedBefore: 380 });
  });
});
