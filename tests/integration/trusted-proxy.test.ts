import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';

/**
 * Behind one reverse proxy (TRUST_PROXY=true): the client is the address the proxy appended to
 * X-Forwarded-For (the right-most entry), never one the client wrote itself further left. The test
 * plays the proxy: the right-most entry stands for the address it saw.
 */
let server: TestServer;
let auditor: Session;

const PROXY_SAW = '203.0.113.50';
/** A client that forges a new left-most address on every request, through the proxy. */
const forging = (i: number) => new Session(server.baseUrl, { 'x-forwarded-for': `10.66.${i >> 8}.${i & 255}, ${PROXY_SAW}` });

beforeAll(async () => {
  // The default per-address limit (20 failures in the window) applies.
  server = await startServer({ env: { TRUST_PROXY: 'true' } });
  auditor = new Session(server.baseUrl, { 'x-forwarded-for': '192.0.2.250' });
  expect((await auditor.signIn('auditor@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
});

afterAll(async () => {
  await server?.stop();
});

type FailureEvent = { actorEmail: string | null; ip: string | null; details: { reason?: string; scope?: string } };

async function eventsFrom(action: string, prefix: string): Promise<FailureEvent[]> {
  const body = (await (await auditor.fetch(`/api/audit?action=${action}&pageSize=200`)).json()) as { events: FailureEvent[] };
  return body.events.filter((event) => event.actorEmail?.startsWith(prefix));
}

describe('TRUST_PROXY: the right-most X-Forwarded-For address', () => {
  it('limits 30 failed sign-ins with forged left-most addresses, and the audit trail records the proxy-seen address', async () => {
    const outcomes: string[] = [];
    for (let i = 0; i < 30; i++) {
      // Each attempt names another account, so only the per-address limit can stop the spray.
      const { location } = await forging(i).signIn(`spray${i}@sightline.test`, 'guess');
      outcomes.push(location.includes('code=rate_limited') ? 'limited' : 'failed');
    }
    expect(outcomes.slice(0, 20)).toEqual(Array(20).fill('failed'));
    expect(outcomes.slice(20)).toEqual(Array(10).fill('limited'));

    // Every record names the address the proxy saw, none a forged one; the block of that address
    // is recorded once, when it starts (auth.sign_in_blocked), not once per refused attempt.
    const failures = await eventsFrom('auth.sign_in_failed', 'spray');
    const blocks = await eventsFrom('auth.sign_in_blocked', 'spray');
    expect(failures.filter((event) => event.details.reason === 'unknown_account')).toHaveLength(20);
    expect(blocks.map((event) => event.details.scope)).toEqual(['address']);
    expect(new Set([...failures, ...blocks].map((event) => event.ip))).toEqual(new Set([PROXY_SAW]));

    // Another client behind the same proxy is not affected.
    const other = new Session(server.baseUrl, { 'x-forwarded-for': '203.0.113.51' });
    expect((await other.signIn('operator@sightline.test', DEMO_PASSWORD)).ok).toBe(true);
  });

  it('believes the proxy about the scheme and host the browser used (X-Forwarded-Proto/Host) for the origin check', async () => {
    const viaProxy = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'sightline.example.org' };
    const claim = (headers: Record<string, string>) => fetch(`${server.baseUrl}/api/alerts/any/claim`, { method: 'POST', headers });
    // Past the origin check: the route itself answers (no session).
    expect((await claim({ ...viaProxy, origin: 'https://sightline.example.org' })).status).toBe(401);
    expect((await claim({ ...viaProxy, origin: 'https://sightline.example.org:8443' })).status).toBe(403);
    expect((await claim({ origin: 'https://sightline.example.org' })).status).toBe(403);
  });
});

// Concurrent: two refused starts, each on its own database.
describe.concurrent('TRUST_PROXY and PUBLIC_ORIGIN at start-up', () => {
  it('refuses a value that is not false, true, a hop count or proxy addresses, naming it', async ({ expect }) => {
    await expect(startServer({ seedDemo: false, env: { TRUST_PROXY: 'yes' } })).rejects.toThrow(
      /TRUST_PROXY: "yes" is not an IP address or CIDR range; expected false, true/,
    );
  });

  it('refuses a PUBLIC_ORIGIN with a path', async ({ expect }) => {
    await expect(startServer({ seedDemo: false, env: { PUBLIC_ORIGIN: 'https://sightline.example.org/control' } })).rejects.toThrow(
      /PUBLIC_ORIGIN: "https:\/\/sightline.example.org\/control" is not an http\(s\) origin/,
    );
  });
});
