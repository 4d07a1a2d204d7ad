/**
 * What a blocked sign-in writes to the audit trail (in this process, with its own database and a
 * lockout of 4 seconds): one record when the block starts, one with the count of refused
 * attempts when it is over — never one per refused attempt.
 */
import { describe, expect, it } from 'vitest';
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
