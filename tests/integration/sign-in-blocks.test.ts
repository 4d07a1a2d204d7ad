/**
 * What a blocked sign-in writes to the audit trail (in this process, with its own database and a
 * lockout of 4 seconds): one record when the block starts, one with the count of refused
 * attempts when it is over — never one per refused attempt. Then the limiter's own rules, on the
 * same database (lib/auth/data.ts, mutations.ts), at made-up times far in the future so that
 * nothing they leave ends during the audit test.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { signInBlocked } from '@/lib/auth/data';
import { clearAccountFailures, deleteEndedSignInWindows, recordSignInFailure, recordSignInRefusal, takeEndedBlocks } from '@/lib/auth/mutations';
import { checkSignIn } from '@/lib/auth/sign-in';
import { getDb } from '@/lib/db/client';
import { useFreshDatabase } from '../support/in-process-db';

process.env.SIGN_IN_MAX_FAILURES_PER_ACCOUNT = '3';
process.env.SIGN_IN_MAX_FAILURES_PER_ADDRESS = '100';
process.env.SIGN_IN_LOCKOUT_MINUTES = String(4 / 60); // 4 s

useFreshDatabase();

const events = async (action: string) =>
  (await getDb().auditEvent.findMany({ where: { action }, orderBy: { seq: 'asc' } })).map((e) => ({
    actorEmail: e.actorEmail,
    ip: e.ip,
    details: JSON.parse(e.details) as Record<string, unknown>,
  }));

describe('a blocked sign-in in the audit trail', () => {
  it('records 30 refused attempts as one block, and their count once the block is over', async () => {
    const email = 'someone@example.test';
    const windowStart = Date.now();
    for (let i = 0; i < 3; i++) expect(await checkSignIn({ email, password: `guess-${i}` }, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });
    for (let i = 0; i < 30; i++) {
      expect(await checkSignIn({ email, password: `guess-${i}` }, '192.0.2.1')).toMatchObject({ ok: false, reason: 'rate_limited' });
    }
    // A malformed attempt is another account's: a failure, recorded with its control character made visible.
    expect(await checkSignIn({ email: `${email}\u0000`, password: 'x' }, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });

    const failed = await events('auth.sign_in_failed');
    expect(failed).toHaveLength(3 + 1);
    expect(failed.at(-1)).toEqual({ actorEmail: `${email}\uFFFD`, ip: '192.0.2.1', details: { reason: 'malformed' } });
    const blocked = await events('auth.sign_in_blocked');
    expect(blocked).toEqual([{ actorEmail: email, ip: '192.0.2.1', details: { scope: 'account', failures: 3, blockedUntil: expect.any(String) } }]);
    expect(Date.parse(blocked[0]!.details.blockedUntil as string)).toBeGreaterThanOrEqual(windowStart + 4000);
    expect(await events('auth.sign_in_block_ended')).toEqual([]);

    // Once the window is over, the next attempt (from anyone) first records how many were refused.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(blocked[0]!.details.blockedUntil as string) + 100 - Date.now())));
    expect(await checkSignIn({ email: 'other@example.test', password: 'guess' }, '198.51.100.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(await events('auth.sign_in_block_ended')).toEqual([
      { actorEmail: email, ip: null, details: { scope: 'account', refused: 30, blockedUntil: blocked[0]!.details.blockedUntil } },
    ]);
    expect(await checkSignIn({ email, password: 'guess-again' }, '192.0.2.1')).toEqual({ ok: false, reason: 'invalid' });
    expect(await events('auth.sign_in_block_ended')).toHaveLength(1);
    expect(await events('auth.sign_in_blocked')).toHaveLength(1);
  });
});

const limits = { perAccount: 3, perAddress: 5, windowMs: 60_000 };
const FUTURE = Date.now() + 10 * 365 * 86_400_000;
let n = 0;
let email = '';
let ip = '';

async function refuse(email: string, ip: string, at: number) {
  const block = await signInBlocked(email, ip, limits, at);
  if (!block.blocked) throw new Error('expected a block');
  return recordSignInRefusal(email, ip, block);
}

describe('failed sign-in limiter', () => {
  beforeEach(() => {
    n += 1;
    email = `person${n}@example.test`;
    ip = `10.0.0.${n}`;
  });

  it('blocks an account after its failures, until the window passes', async () => {
    const t0 = FUTURE + 1_000_000;
    for (let i = 0; i < 3; i++) {
      expect((await signInBlocked(email, ip, limits, t0)).blocked).toBe(false);
      await recordSignInFailure(email, ip, limits, t0);
    }
    const blocked = await signInBlocked(email, `192.0.2.${n}`, limits, t0 + 1000);
    expect(blocked).toEqual({ blocked: true, retryAfterSeconds: 59, scope: 'account', failures: 3, blockedUntil: new Date(t0 + 60_000) });
    expect((await signInBlocked(email, ip, limits, t0 + 60_000)).blocked).toBe(false);
    // A failure after the window starts a new one, from one.
    await recordSignInFailure(email, null, limits, t0 + 60_000);
    expect((await signInBlocked(email, null, limits, t0 + 60_000)).blocked).toBe(false);
    expect(await deleteEndedSignInWindows(new Date(t0 + 60_000))).toBeGreaterThanOrEqual(1);
    expect((await signInBlocked(email, null, limits, t0 + 61_000)).blocked).toBe(false);
  });

  it('blocks an address spraying many accounts', async () => {
    const t0 = FUTURE + 2_000_000;
    for (let i = 0; i < 5; i++) await recordSignInFailure(`spray${n}-${i}@example.test`, ip, limits, t0);
    const result = await signInBlocked(`fresh${n}@example.test`, ip, limits, t0);
    expect(result.blocked && result.scope).toBe('address');
    expect((await signInBlocked(`fresh${n}@example.test`, `198.51.100.${n}`, limits, t0)).blocked).toBe(false);
  });

  it('a success clears the account count but not the address count', async () => {
    const t0 = FUTURE + 3_000_000;
    for (let i = 0; i < 2; i++) await recordSignInFailure(email, ip, limits, t0);
    await clearAccountFailures(email);
    await recordSignInFailure(email, ip, limits, t0);
    await recordSignInFailure(email, ip, limits, t0);
    expect((await signInBlocked(email, null, limits, t0)).blocked).toBe(false);
    await recordSignInFailure(email, ip, limits, t0);
    expect((await signInBlocked(email, ip, limits, t0)).blocked).toBe(true);
  });

  it('counts refused attempts per blocked window: the first is marked, the count is taken once when the window is over', async () => {
    const t0 = FUTURE + 4_000_000;
    for (let i = 0; i < 3; i++) await recordSignInFailure(email, ip, limits, t0);
    const refusals = [];
    for (let i = 0; i < 30; i++) refusals.push(await refuse(email, ip, t0 + i));
    expect(refusals.filter((r) => r.first)).toHaveLength(1);
    expect(refusals[0]).toEqual({ first: true, failures: 3, blockedUntil: new Date(t0 + 60_000) });

    // Still blocked: nothing is over yet.
    expect((await takeEndedBlocks(t0 + 59_999)).filter((b) => b.subject === email)).toEqual([]);
    // Over: the count, once — even after the next failure opened a new window for the account.
    await recordSignInFailure(email, ip, limits, t0 + 60_000);
    expect((await takeEndedBlocks(t0 + 60_000)).filter((b) => b.subject === email)).toEqual([
      { scope: 'account', subject: email, refused: 30, blockedUntil: new Date(t0 + 60_000) },
    ]);
    expect((await takeEndedBlocks(t0 + 120_000)).filter((b) => b.subject === email)).toEqual([]);
  });

  it('counts an address block under the address', async () => {
    const t0 = FUTURE + 5_000_000;
    for (let i = 0; i < 5; i++) await recordSignInFailure(`spray${n}-${i}@example.test`, ip, limits, t0);
    expect((await refuse(`fresh${n}@example.test`, ip, t0)).first).toBe(true);
    expect((await refuse(`other${n}@example.test`, ip, t0)).first).toBe(false);
    expect((await takeEndedBlocks(t0 + 60_000)).filter((b) => b.subject === ip)).toEqual([
      { scope: 'address', subject: ip, refused: 2, blockedUntil: new Date(t0 + 60_000) },
    ]);
  });
});
