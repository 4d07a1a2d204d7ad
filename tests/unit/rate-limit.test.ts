import { beforeEach, describe, expect, it } from 'vitest';
import { clearAccountFailures, recordSignInFailure, signInBlocked } from '@/lib/auth/rate-limit';

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
});
