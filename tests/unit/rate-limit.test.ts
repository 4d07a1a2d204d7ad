import { beforeEach, describe, expect, it } from 'vitest';
import { clearAccountFailures, recordSignInFailure, recordSignInRefusal, signInBlocked, takeEndedBlocks } from '@/lib/auth/rate-limit';

const limits = { perAccount: 3, perAddress: 5, windowMs: 60_000 };
let n = 0;
let email = '';
let ip = '';

describe('failed sign-in limiter', () => {
  beforeEach(() => {
    n += 1;
    email = `person${n}@example.test`;
    ip = `10.0.0.${n}`;
  });

  it('blocks an account after its failures, until the window passes', () => {
    const t0 = 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect(signInBlocked(email, ip, limits, t0).blocked).toBe(false);
      recordSignInFailure(email, ip, limits, t0);
    }
    const blocked = signInBlocked(email, `192.0.2.${n}`, limits, t0 + 1000);
    expect(blocked).toEqual({ blocked: true, retryAfterSeconds: 59, scope: 'account' });
    expect(signInBlocked(email, ip, limits, t0 + 60_000).blocked).toBe(false);
  });

  it('blocks an address spraying many accounts', () => {
    const t0 = 2_000_000;
    for (let i = 0; i < 5; i++) recordSignInFailure(`spray${n}-${i}@example.test`, ip, limits, t0);
    const result = signInBlocked(`fresh${n}@example.test`, ip, limits, t0);
    expect(result.blocked && result.scope).toBe('address');
    expect(signInBlocked(`fresh${n}@example.test`, `198.51.100.${n}`, limits, t0).blocked).toBe(false);
  });

  it('a success clears the account count but not the address count', () => {
    const t0 = 3_000_000;
    for (let i = 0; i < 2; i++) recordSignInFailure(email, ip, limits, t0);
    clearAccountFailures(email);
    recordSignInFailure(email, ip, limits, t0);
    recordSignInFailure(email, ip, limits, t0);
    expect(signInBlocked(email, null, limits, t0).blocked).toBe(false);
    recordSignInFailure(email, ip, limits, t0);
    expect(signInBlocked(email, ip, limits, t0).blocked).toBe(true);
  });

  it('counts refused attempts per blocked window: the first is marked, the count is taken once when the window is over', () => {
    const t0 = 4_000_000;
    for (let i = 0; i < 3; i++) recordSignInFailure(email, ip, limits, t0);
    const refusals = [];
    for (let i = 0; i < 30; i++) {
      const block = signInBlocked(email, ip, limits, t0 + i);
      if (!block.blocked) throw new Error('expected a block');
      refusals.push(recordSignInRefusal(email, ip, block.scope));
    }
    expect(refusals.filter((r) => r.first)).toHaveLength(1);
    expect(refusals[0]).toEqual({ first: true, failures: 3, blockedUntil: new Date(t0 + 60_000) });

    // Still blocked: nothing is over yet.
    expect(takeEndedBlocks(t0 + 59_999).filter((b) => b.subject === email)).toEqual([]);
    // Over: the count, once — even after the next failure opened a new window for the account.
    recordSignInFailure(email, ip, limits, t0 + 60_000);
    expect(takeEndedBlocks(t0 + 60_000).filter((b) => b.subject === email)).toEqual([
      { scope: 'account', subject: email, refused: 30, blockedUntil: new Date(t0 + 60_000) },
    ]);
    expect(takeEndedBlocks(t0 + 120_000).filter((b) => b.subject === email)).toEqual([]);
  });

  it('counts an address block under the address', () => {
    const t0 = 5_000_000;
    for (let i = 0; i < 5; i++) recordSignInFailure(`spray${n}-${i}@example.test`, ip, limits, t0);
    const block = signInBlocked(`fresh${n}@example.test`, ip, limits, t0);
    if (!block.blocked) throw new Error('expected a block');
    expect(recordSignInRefusal(`fresh${n}@example.test`, ip, block.scope).first).toBe(true);
    expect(recordSignInRefusal(`other${n}@example.test`, ip, block.scope).first).toBe(false);
    expect(takeEndedBlocks(t0 + 60_000).filter((b) => b.subject === ip)).toEqual([
      { scope: 'address', subject: ip, refused: 2, blockedUntil: new Date(t0 + 60_000) },
    ]);
  });
});
