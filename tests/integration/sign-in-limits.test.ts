import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, Session } from '../support/session';
import { startServer, type TestServer } from '../support/server';

let server: TestServer;
let auditor: Session;

// TRUST_PROXY lets the test speak from several client addresses through X-Forwarded-For.
const from = (ip: string) => new Session(server.baseUrl, { 'x-forwarded-for': ip });

beforeAll(async () => {
  server = await startServer({
    env: { SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '3', SIGN_IN_MAX_FAILURES_PER_ADDRESS: '5', TRUST_PROXY: 'true' },
  });
  auditor = from('192.0.2.250');
  expect((await auditor.signIn('auditor@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
});

afterAll(async () => {
  await server?.stop();
});

async function audited(action: string, actor: string) {
  const body = (await (await auditor.fetch(`/api/audit?action=${action}&actor=${encodeURIComponent(actor)}&pageSize=200`)).json()) as {
    events: { details: Record<string, unknown>; ip?: string }[];
  };
  return body.events.map((e) => e.details);
}

const failures = (actor: string) => audited('auth.sign_in_failed', actor);
/** Blocks recorded as they started: one per blocked window. */
const blocks = (actor: string) => audited('auth.sign_in_blocked', actor);

describe('failed sign-in rate limiting', () => {
  it('locks an account after repeated failures, even against the right password from elsewhere', async () => {
    for (let i = 0; i < 3; i++) expect((await from('192.0.2.1').signIn('operator@sightline.test', `guess-${i}`)).ok).toBe(false);

    const blocked = await from('192.0.2.2').signIn('operator@sightline.test', DEMO_PASSWORD);
    expect(blocked.ok).toBe(false);
    expect(blocked.location).toContain('code=rate_limited');

    const details = await failures('operator@sightline.test');
    expect(details.filter((d) => d.reason === 'wrong_password')).toHaveLength(3);
    expect(await blocks('operator@sightline.test')).toEqual([{ scope: 'account', failures: 3, blockedUntil: expect.any(String) }]);

    // Another account is unaffected.
    expect((await from('192.0.2.3').signIn('operator2@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
  });

  it('records and counts malformed attempts too', async () => {
    expect((await from('203.0.113.9').signIn('not-an-email', 'x')).ok).toBe(false);
    expect(await failures('not-an-email')).toContainEqual({ reason: 'malformed' });
  });

  it('blocks an address that sprays failures across accounts, not other addresses', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await from('198.51.100.7').signIn(`nobody${i}@sightline.test`, 'whatever')).ok).toBe(false);
    }
    const blocked = await from('198.51.100.7').signIn('officer2@sightline.test', DEMO_PASSWORD);
    expect(blocked.location).toContain('code=rate_limited');
    expect(await blocks('officer2@sightline.test')).toEqual([{ scope: 'address', failures: 5, blockedUntil: expect.any(String) }]);

    expect((await from('198.51.100.8').signIn('officer2@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
  });

  it('writes one audit record for 30 attempts refused while blocked, not one each', async () => {
    const email = 'nobody-at-all@sightline.test';
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.40').signIn(email, `guess-${i}`)).ok).toBe(false);
    for (let i = 0; i < 30; i++) {
      expect((await from(`203.0.113.${41 + (i % 5)}`).signIn(email, `guess-${i}`)).location).toContain('code=rate_limited');
    }
    expect(await failures(email)).toHaveLength(3);
    expect(await blocks(email)).toEqual([{ scope: 'account', failures: 3, blockedUntil: expect.any(String) }]);
  });
});
