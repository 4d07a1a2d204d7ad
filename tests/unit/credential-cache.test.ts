import { beforeEach, describe, expect, it } from 'vitest';
import { cachedCredential, clearCredentialCache, CREDENTIAL_TTL_MS, credentialKey, type CheckedCredential } from '@/lib/auth/credential-cache';
import { announce } from '@/lib/cluster/bus';

/** A check that counts how often it ran, answering what `answer` says at the time. */
function counter<T>(answer: () => CheckedCredential<T> | null) {
  const check = { runs: 0, load: async () => (check.runs++, answer()) };
  return check;
}

const FAR = new Date(Date.now() + 3_600_000);
const session = (sessionId: string, userId = 'u1', extra: Partial<CheckedCredential<string>> = {}): CheckedCredential<string> => ({
  value: `session ${sessionId}`,
  owner: { userId, sessionId },
  expiresAt: FAR,
  ...extra,
});

describe('the credential cache', () => {
  let clock = 1_000_000;
  const now = () => clock;

  beforeEach(() => {
    clearCredentialCache();
    clock = 1_000_000;
  });

  it('believes an accepted credential for at most CREDENTIAL_TTL_MS, then checks it again', async () => {
    const check = counter(() => session('s1'));
    const key = credentialKey('session', 'cookie-a');
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    clock += CREDENTIAL_TTL_MS - 1;
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    expect(check.runs).toBe(1);
    clock += 1;
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    expect(check.runs).toBe(2);
    expect(CREDENTIAL_TTL_MS).toBeLessThanOrEqual(1000);
  });

  it('never believes a credential past its own expiry', async () => {
    const check = counter(() => session('s1', 'u1', { expiresAt: new Date(clock + 300) }));
    const key = credentialKey('session', 'cookie-a');
    await cachedCredential(key, check.load, now);
    clock += 299;
    await cachedCredential(key, check.load, now);
    expect(check.runs).toBe(1);
    clock += 1;
    await cachedCredential(key, check.load, now);
    expect(check.runs).toBe(2);
  });

  it('keeps no refusal: a refused credential is checked every time', async () => {
    let accepted = false;
    const check = counter(() => (accepted ? session('s1') : null));
    const key = credentialKey('session', 'cookie-a');
    expect(await cachedCredential(key, check.load, now)).toBeNull();
    expect(await cachedCredential(key, check.load, now)).toBeNull();
    accepted = true;
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    expect(check.runs).toBe(3);
    // A check that throws (a refused API key) is not kept either.
    const throwing = { runs: 0, load: async (): Promise<CheckedCredential<string>> => (throwing.runs++, Promise.reject(new Error('refused'))) };
    const other = credentialKey('api-key', 'slk_x');
    await expect(cachedCredential(other, throwing.load, now)).rejects.toThrow('refused');
    await expect(cachedCredential(other, throwing.load, now)).rejects.toThrow('refused');
    expect(throwing.runs).toBe(2);
  });

  it('does not keep an answer marked keep: false (a session that must change its password)', async () => {
    const check = counter(() => session('s1', 'u1', { keep: false }));
    const key = credentialKey('session', 'cookie-a');
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    expect(await cachedCredential(key, check.load, now)).toBe('session s1');
    expect(check.runs).toBe(2);
  });

  it('keeps credentials apart: another cookie, or a key with the same text, is checked on its own', async () => {
    const a = counter(() => session('s1'));
    const b = counter(() => session('s2'));
    expect(await cachedCredential(credentialKey('session', 'cookie-a'), a.load, now)).toBe('session s1');
    expect(await cachedCredential(credentialKey('session', 'cookie-b'), b.load, now)).toBe('session s2');
    const asKey = counter(() => ({ value: 'agent', owner: { userId: 'svc', keyId: 'k1' }, expiresAt: FAR }));
    expect(await cachedCredential(credentialKey('api-key', 'cookie-a'), asKey.load, now)).toBe('agent');
    expect([a.runs, b.runs, asKey.runs]).toEqual([1, 1, 1]);
    expect(credentialKey('session', 'cookie-a')).not.toContain('cookie-a');
  });

  it('forgets at once what an announcement names: an ended session, a stopped key, a key’s account', async () => {
    const s1 = counter(() => session('s1'));
    const s2 = counter(() => session('s2'));
    const k1 = counter(() => ({ value: 'agent k1', owner: { userId: 'svc', keyId: 'k1' }, expiresAt: FAR }));
    const k2 = counter(() => ({ value: 'agent k2', owner: { userId: 'svc', keyId: 'k2' }, expiresAt: FAR }));
    const all = [
      [credentialKey('session', 'a'), s1],
      [credentialKey('session', 'b'), s2],
      [credentialKey('api-key', 'k1'), k1],
      [credentialKey('api-key', 'k2'), k2],
    ] as const;
    const touchAll = async () => {
      for (const [key, check] of all) await cachedCredential(key, check.load, now);
    };
    await touchAll();
    announce('sessions:ended', { sessionIds: ['s1'] });
    await touchAll();
    expect([s1.runs, s2.runs, k1.runs, k2.runs]).toEqual([2, 1, 1, 1]);
    announce('api-keys:ended', { keyIds: ['k1'], userIds: [] });
    await touchAll();
    expect([s1.runs, s2.runs, k1.runs, k2.runs]).toEqual([2, 1, 2, 1]);
    announce('api-keys:ended', { keyIds: [], userIds: ['svc'] });
    await touchAll();
    expect([s1.runs, s2.runs, k1.runs, k2.runs]).toEqual([2, 1, 3, 2]);
  });

  it('lets requests that arrive during a check share it, rather than each reading the database', async () => {
    let release: () => void = () => undefined;
    const slow = {
      runs: 0,
      load: async () => {
        slow.runs++;
        await new Promise<void>((resolve) => (release = resolve));
        return session('s1');
      },
    };
    const key = credentialKey('session', 'cookie-a');
    const burst = Array.from({ length: 5 }, () => cachedCredential(key, slow.load, now));
    await Promise.resolve();
    release();
    expect(await Promise.all(burst)).toEqual(Array(5).fill('session s1'));
    expect(slow.runs).toBe(1);
  });

  it('does not keep a check that was under way when an announcement came (it may have read the session alive)', async () => {
    let release: () => void = () => undefined;
    const slow = {
      runs: 0,
      load: async () => {
        slow.runs++;
        await new Promise<void>((resolve) => (release = resolve));
        return session('s1');
      },
    };
    const key = credentialKey('session', 'cookie-a');
    const pending = cachedCredential(key, slow.load, now);
    await Promise.resolve();
    announce('sessions:ended', { sessionIds: ['s1'] });
    release();
    expect(await pending).toBe('session s1');
    const fresh = counter(() => null);
    expect(await cachedCredential(key, fresh.load, now)).toBeNull();
    expect(fresh.runs).toBe(1);
  });
});
