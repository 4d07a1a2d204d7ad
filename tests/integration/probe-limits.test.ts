import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeAnswer } from '@/lib/face/probe';
import type { RefusalCounts } from '@/lib/live/limits';
import type { ProbeRefusal } from '@/lib/realtime/events';
import { authorisePlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * Probes are limited per socket and per user (token buckets), and sockets per user; refusals carry
 * a code and are counted, not audited one by one. First with the defaults (which a camera wall never
 * reaches, lib/config/env.ts), then — on the same database — with tight limits set by environment,
 * where the arithmetic of the buckets can be checked exactly.
 */

type Answer = ProbeAnswer | ProbeRefusal;

let server: TestServer;
let deployment: DeploymentJson;
let probes: ProbeFixtures;
const opened: TestSocket[] = [];

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

async function socketOf(session: Session): Promise<TestSocket> {
  const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
  expect(error).toBeUndefined();
  opened.push(socket);
  return socket;
}

async function limits(): Promise<RefusalCounts> {
  return ((await (await fetch(`${server.baseUrl}/api/health`)).json()) as { limits: RefusalCounts }).limits;
}

const send = (socket: TestSocket, probe: object) =>
  socket.timeout(60_000).emitWithAck('probe:submit', { deploymentId: deployment.id, ...probe }) as Promise<Answer>;
const isRateLimited = (answer: Answer) => 'error' in answer && answer.error === 'rate_limited';

async function auditCount(): Promise<number> {
  return Number((await rawQuery<{ n: number | string }>(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "AuditEvent"'))[0]!.n);
}

beforeAll(async () => {
  server = await startServer();
  const officer = await signedIn('officer@sightline.test');
  const officer2 = await signedIn('officer2@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  // A long window, so the deployment is still live for the second server below.
  const { id } = await createPlan(officer, validPlan([demoId], { name: 'Limits', hours: 8 }));
  // A second camera for a second sender: a camera's faces are accepted from its lease holder only.
  expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: 'Second camera' })).status).toBe(201);
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  deployment = await getDeployment(officer, id);
  probes = await probeFixtures(deployment.cameras[0]!.id);
}, 180_000);

afterAll(async () => {
  for (const socket of opened) socket.close();
  await server?.stop();
});

describe('with the default limits', () => {
  it('a burst of 5,000 matching probes from one socket is limited and counted, and /api/health keeps answering', async () => {
    const operator = await signedIn('operator@sightline.test');
    const socket = await socketOf(operator);
    const before = await limits();
    const auditBefore = await auditCount();

    // /api/health, asked again and again while the burst is handled.
    const health: number[] = [];
    let bursting = true;
    const watching = (async () => {
      while (bursting) {
        const started = performance.now();
        expect((await fetch(`${server.baseUrl}/api/health`)).status).toBe(200);
        health.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    // Candidates sent as a tile sends them, descriptor first (so the burst arrives at once, not
    // held back by its crops in transit): each that gets through is a first-stage match. Far more
    // than the bucket's burst and what its rate refills while they arrive, even on a slow machine.
    const { crop: _crop, ...descriptorOnly } = probes.match;
    const started = performance.now();
    const answers = await Promise.all(Array.from({ length: 5000 }, (_, i) => send(socket, fresh(descriptorOnly, { trackId: `burst-${i}` }))));
    const seconds = (performance.now() - started) / 1000;
    bursting = false;
    await watching;

    const refused = answers.filter(isRateLimited);
    const refusal = refused[0] as ProbeRefusal;
    expect(refusal).toEqual({ error: 'rate_limited', message: expect.stringContaining('at most 400 a second (bursts of 800)') });
    // No more got through than the bucket holds: its burst and its rate over the time the burst took.
    expect(answers.length - refused.length).toBeLessThanOrEqual(800 + Math.ceil(400 * seconds) + 1);
    expect(refused.length).toBeGreaterThan(0);
    // Counted, per socket (the user's bucket is twice the socket's), and not audited one by one.
    const after = await limits();
    expect(after.probesOverSocketRate - before.probesOverSocketRate).toBe(refused.length);
    expect(after.probesOverUserRate).toBe(before.probesOverUserRate);
    expect(await auditCount()).toBeLessThan(auditBefore + 50);
    const slowest = Math.max(...health);
    console.log(
      `[limits] 5,000 probes in ${seconds.toFixed(1)} s: ${refused.length} refused; /api/health ${health.length} times, slowest ${slowest.toFixed(0)} ms`,
    );
    // Tens of milliseconds on an idle machine; the bound is loose because test machines are shared.
    expect(health.length).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(5000);
  });

  it('refuses a descriptor value beyond float32 range with 422 over HTTP and the socket, never a 500', async () => {
    const operator = await signedIn('operator@sightline.test');
    const socket = await socketOf(operator);
    for (const value of [1e39, -1e39, 3.5e38, 11]) {
      const descriptor = [...probes.stranger.descriptor];
      descriptor[7] = value;
      const http = await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', fresh(probes.stranger, { descriptor }));
      expect(http.status, String(value)).toBe(422);
      expect(await http.json()).toMatchObject({
        error: 'invalid_input',
        message: expect.stringContaining('descriptor.7: descriptor values must lie between -10 and 10'),
      });
      expect(await send(socket, fresh(probes.stranger, { descriptor }))).toMatchObject({
        error: 'invalid_input',
        message: expect.stringContaining('descriptor.7'),
      });
    }
  });

  it('caps one user at 20 sockets: of 200 opened at once, 180 are refused at the handshake with a code', async () => {
    const operator2 = await signedIn('operator2@sightline.test');
    const before = await limits();
    const attempts = await Promise.all(Array.from({ length: 200 }, () => connectSocket(server.baseUrl, operator2.cookieHeader())));
    for (const { socket } of attempts) opened.push(socket);
    const connected = attempts.filter((a) => !a.error);
    const refused = attempts.filter((a) => a.error);
    expect(connected).toHaveLength(20);
    expect(new Set(refused.map((a) => a.error))).toEqual(new Set(['too_many_connections']));
    expect((await limits()).connectionsOverCap - before.connectionsOverCap).toBe(180);
    // Other users are not affected, and a closed socket gives its place back.
    const { error: othersError } = await connectSocket(server.baseUrl, (await signedIn('officer@sightline.test')).cookieHeader()).then(
      (a) => (opened.push(a.socket), a),
    );
    expect(othersError).toBeUndefined();
    for (const { socket } of connected.slice(0, 5)) socket.close();
    await new Promise((r) => setTimeout(r, 300));
    const again = await Promise.all(Array.from({ length: 6 }, () => connectSocket(server.baseUrl, operator2.cookieHeader())));
    for (const { socket } of again) opened.push(socket);
    expect(again.filter((a) => !a.error)).toHaveLength(5);
    for (const socket of opened) socket.close();
    opened.length = 0;
  });
});

describe('with tight limits set by environment', () => {
  // A token a socket every 5 s (10 at once), and every 5 s per user (20 at once); 3 sockets a user.
  const TIGHT = {
    PROBES_PER_SECOND_PER_SOCKET: '0.2',
    PROBE_BURST_PER_SOCKET: '10',
    PROBES_PER_SECOND_PER_USER: '0.2',
    PROBE_BURST_PER_USER: '20',
    MAX_SOCKETS_PER_USER: '3',
  };

  beforeAll(async () => {
    await server.shutdown();
    const first = server;
    server = await startServer({ databaseOf: first, env: TIGHT });
    // The first server's stop() deletes the database; this one only has to end.
    const stopTight = server.shutdown;
    server = { ...server, stop: async () => (await stopTight(), await first.stop()) };
  }, 120_000);

  it('limits each socket, then the user over every socket and HTTP together; 429 rate_limited over HTTP; tokens come back', async () => {
    const operator = await signedIn('operator@sightline.test');
    const operator2 = await signedIn('operator2@sightline.test');
    const before = await limits();
    const stranger = (i: number) => fresh(probes.stranger, { trackId: `tight-${i}` });

    // One socket: its 10, then refused — from this connection.
    const a = await socketOf(operator);
    const fromA = await Promise.all(Array.from({ length: 15 }, (_, i) => send(a, stranger(i))));
    expect(fromA.filter((x) => !isRateLimited(x))).toHaveLength(10);
    expect(fromA.filter(isRateLimited)).toHaveLength(5);
    expect(fromA.find(isRateLimited)).toMatchObject({ message: expect.stringContaining('from this connection') });
    // A second socket of the same user has its own 10, which use up the user's 20.
    const b = await socketOf(operator);
    const fromB = await Promise.all(Array.from({ length: 12 }, (_, i) => send(b, stranger(100 + i))));
    expect(fromB.filter((x) => !isRateLimited(x))).toHaveLength(10);
    // A third socket has tokens of its own, but the user has none left: refused — for the account.
    const c = await socketOf(operator);
    const fromC = await send(c, stranger(200));
    expect(fromC).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('from your account') });
    // Over HTTP too: the same user's bucket.
    const http = await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', stranger(300));
    expect(http.status).toBe(429);
    const body = (await http.json()) as { error: string; message: string; details: { retryAfterMs: number } };
    expect(body).toMatchObject({ error: 'rate_limited', message: expect.stringContaining('at most 0.2 a second (bursts of 20)') });
    expect(body.details.retryAfterMs).toBeGreaterThan(0);
    expect(body.details.retryAfterMs).toBeLessThanOrEqual(5000);
    // The same wait in whole seconds, for HTTP clients that honour Retry-After.
    expect(Number(http.headers.get('retry-after'))).toBe(Math.max(1, Math.ceil(body.details.retryAfterMs / 1000)));
    // Another user is not held back by this one.
    const other = await operator2.json(`/api/deployments/${deployment.id}/probes`, 'POST', { ...stranger(400), cameraId: deployment.cameras[1]!.id });
    expect(other.status).toBe(200);
    // A fourth socket of the same user is over the cap of 3.
    expect((await connectSocket(server.baseUrl, operator.cookieHeader()).then((x) => (opened.push(x.socket), x))).error).toBe('too_many_connections');

    const after = await limits();
    expect(after.probesOverSocketRate - before.probesOverSocketRate).toBe(5 + 2);
    expect(after.probesOverUserRate - before.probesOverUserRate).toBe(2);
    expect(after.connectionsOverCap - before.connectionsOverCap).toBe(1);

    // The user's bucket refills at its rate: one probe after the wait the refusal named (socket a,
    // which holds the camera's lease, first gives it up, so this HTTP sender may take it).
    expect(await a.emitWithAck('lease:offer', { deploymentId: deployment.id, cameraIds: [] })).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, body.details.retryAfterMs + 100));
    expect((await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', stranger(500))).status).toBe(200);
    const next = await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', stranger(501));
    expect(next.status).toBe(429);
  });
});
