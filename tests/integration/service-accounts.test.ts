import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeAnswer } from '@/lib/face/probe';
import type { ProbeRefusal } from '@/lib/realtime/events';
import { generateApiKey } from '@/lib/service-accounts/keys';
import { authorisePlan, authorisedPlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan } from '../support/deployment-fixtures';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { apiKeySession, connectWithApiKey, createServiceAccount, type CreatedServiceAccount } from '../support/service-accounts';
import { DEMO_PASSWORD, Session } from '../support/session';
import type { TestSocket } from '../support/sockets';

/**
 * Service accounts (docs/rules.md#service-accounts): a camera agent's key sends probes, over HTTP and
 * the socket, for its own deployments and nothing else; bad keys are refused (401) and audited;
 * revoking or rotating a key closes its sockets at once. One server for the whole file.
 */

let server: TestServer;
let admin: Session;
let officer: Session;
/**
 * Two live deployments: the agent is given `mine`, never `other`. Each sender below (a key over
 * HTTP, a socket) probes a camera of its own: a camera is analysed by one holder at a time
 * (lib/live/leases.ts), and another sender's probe for it would be refused 409 not_lease_holder.
 */
let mine: { id: string; cameraIds: string[] };
const mineCamera = (n: number) => ({ id: mine.id, cameraId: mine.cameraIds[n]! });
let other: { id: string; cameraId: string };
/** A plan nobody has authorised: no agent may be given it. */
let unauthorised: { id: string; name: string };
const opened: TestSocket[] = [];

type AuditRow = { action: string; actorEmail: string | null; subjectId: string | null; details: Record<string, unknown>; ip: string | null };

async function signedIn(email: string): Promise<Session> {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok, email).toBe(true);
  return session;
}

async function audit(action: string): Promise<AuditRow[]> {
  const response = await admin.fetch(`/api/audit?action=${action}&pageSize=200`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { events: AuditRow[] }).events;
}

/** A face nobody is enrolled with: a random unit vector answers `{ matched: false }` without any crop. */
function probeFor(cameraId: string) {
  const raw = Array.from({ length: 128 }, () => Math.random() - 0.5);
  const norm = Math.hypot(...raw);
  return {
    cameraId,
    trackId: `t-${Math.random().toString(36).slice(2, 8)}`,
    descriptor: raw.map((v) => v / norm),
    box: { x: 10, y: 10, width: 80, height: 80 },
    detectionScore: 0.95,
    capturedAt: new Date().toISOString(),
  };
}

const postProbe = (session: Session, deployment: { id: string; cameraId: string }) =>
  session.json(`/api/deployments/${deployment.id}/probes`, 'POST', probeFor(deployment.cameraId));

async function agentSocket(key: string, via: 'header' | 'auth' = 'header'): Promise<TestSocket> {
  const { socket, error, message } = await connectWithApiKey(server.baseUrl, key, { via });
  expect(error, message).toBeUndefined();
  opened.push(socket);
  return socket;
}

const socketProbe = (socket: TestSocket, deployment: { id: string; cameraId: string }) =>
  socket.timeout(10_000).emitWithAck('probe:submit', { deploymentId: deployment.id, ...probeFor(deployment.cameraId) }) as Promise<ProbeAnswer | ProbeRefusal>;

/** Resolves with the reason the server gave (session:revoked) once the socket is closed, and how long it took. */
function closing(socket: TestSocket): Promise<{ reason: string | null; ms: number }> {
  const started = performance.now();
  let reason: string | null = null;
  socket.on('session:revoked', (payload) => (reason = payload.reason));
  return new Promise((resolve) => socket.once('disconnect', () => resolve({ reason, ms: performance.now() - started })));
}

/** A time in the form the database stores the key's own createdAt in (SQLite text or milliseconds, PostgreSQL timestamp). */
async function setKeyExpiry(keyId: string, at: Date): Promise<void> {
  const [row] = await rawQuery<{ createdAt: unknown }>(server.databaseUrl, 'SELECT "createdAt" FROM "ApiKey" WHERE id = $1', [keyId]);
  const sample = row!.createdAt;
  const value = typeof sample === 'number' ? at.getTime() : typeof sample === 'string' ? at.toISOString() : at;
  await rawQuery(server.databaseUrl, 'UPDATE "ApiKey" SET "expiresAt" = $1 WHERE id = $2', [value, keyId]);
}

beforeAll(async () => {
  server = await startServer();
  admin = await signedIn('admin@sightline.test');
  officer = await signedIn('officer@sightline.test');
  const officer2 = await signedIn('officer2@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  const live = async (name: string) => {
    const deployment = await authorisedPlan(officer, officer2, validPlan([demoId], { name }), { live: true });
    return { id: deployment.id, cameraId: (await getDeployment(officer, deployment.id)).cameras[0]!.id };
  };
  const draft = await createPlan(officer, validPlan([demoId], { name: 'Agent: its own deployment' }));
  for (let n = 2; n <= 9; n++)
    expect((await officer.json(`/api/deployments/${draft.id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: `Camera ${n}` })).status).toBe(201);
  await submitPlan(officer, draft.id);
  await authorisePlan(officer2, draft.id);
  await startPlan(officer, draft.id);
  mine = { id: draft.id, cameraIds: (await getDeployment(officer, draft.id)).cameras.map((c) => c.id) };
  other = await live('Agent: another deployment');
  unauthorised = await createPlan(officer, validPlan([demoId], { name: 'Agent: a draft nobody authorised' }));
}, 180_000);

afterAll(async () => {
  for (const socket of opened) socket.close();
  await server?.stop();
});

describe('a camera agent key', () => {
  let account: CreatedServiceAccount;

  beforeAll(async () => {
    account = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Oxford agent' });
  });

  it('is shown once, stored only as a hash, and listed without secrets', async () => {
    expect(account.key).toMatch(/^slk_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
    const [stored] = await rawQuery<{ secretHash: string }>(server.databaseUrl, 'SELECT "secretHash" FROM "ApiKey" WHERE id = $1', [account.keyId]);
    expect(stored!.secretHash).toMatch(/^[0-9a-f]{64}$/);
    const listing = await (await admin.fetch('/api/service-accounts')).text();
    expect(listing).toContain('Oxford agent');
    expect(listing).not.toContain(account.key.slice(-43));
    expect(listing).not.toContain(stored!.secretHash);
    // Never among the people, never with a password
    const users = await (await admin.fetch('/api/users')).text();
    expect(users).not.toContain(account.email);
    expect(await audit('service_account.created')).toContainEqual(
      expect.objectContaining({
        actorEmail: 'admin@sightline.test',
        subjectId: account.id,
        details: expect.objectContaining({ deploymentIds: [mine.id], keyId: account.keyId }),
      }),
    );
  });

  it('sends probes over HTTP and the socket for its deployment, 404 for any other (audited); its first use is audited once', async () => {
    const agent = apiKeySession(server.baseUrl, account.key);
    const accepted = await postProbe(agent, mineCamera(0));
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    expect(await accepted.json()).toEqual({ matched: false });
    expect((await postProbe(agent, mineCamera(0))).status).toBe(200);

    const refused = await postProbe(agent, other);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({ error: 'not_found', message: 'No such deployment.' });

    for (const via of ['header', 'auth'] as const) {
      const socket = await agentSocket(account.key, via);
      expect(await socketProbe(socket, mineCamera(via === 'header' ? 1 : 2)), via).toEqual({ matched: false });
      expect(await socketProbe(socket, other), via).toMatchObject({ error: 'not_found' });
      socket.close();
    }

    const firstUses = (await audit('api_key.first_used')).filter((e) => e.subjectId === account.keyId);
    expect(firstUses).toHaveLength(1);
    expect(firstUses[0]).toMatchObject({ actorEmail: account.email });
    const outOfScope = (await audit('api_key.refused')).filter((e) => e.details.reason === 'out_of_scope' && e.actorEmail === account.email);
    expect(outOfScope.length).toBeGreaterThanOrEqual(1);
    expect(outOfScope[0]!.details).toMatchObject({ deploymentId: other.id });
    // with the address it came from (HTTP and socket alike)
    expect(outOfScope[0]!.ip).toBeTruthy();
    // Refusals repeated within the minute are counted, per account, not written one by one.
    expect(outOfScope).toHaveLength(1);
  });

  it('has its probes answered as any route answers (server.ts serves the probe route before Next): its limits, codes and headers', async () => {
    const url = `/api/deployments/${mine.id}/probes`;
    const agent = apiKeySession(server.baseUrl, account.key);
    const accepted = await postProbe(agent, mineCamera(0));
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('cache-control')).toMatch(/no-store/);
    expect(accepted.headers.get('content-encoding')).toBeNull();
    expect(accepted.headers.get('x-content-type-options')).toBe('nosniff');
    const cases: [RequestInit, number, string][] = [
      [{ body: JSON.stringify(probeFor(mine.cameraIds[0]!)) }, 415, 'unsupported_media_type'],
      [{ headers: { 'content-type': 'application/json' }, body: '{"cameraId":' }, 400, 'malformed_json'],
      [{ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ pad: 'x'.repeat(129 * 1024) }) }, 413, 'payload_too_large'],
      [{ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ cameraId: 'x' }) }, 422, 'invalid_input'],
    ];
    for (const [init, status, code] of cases) {
      const response = await agent.fetch(url, { method: 'POST', ...init });
      expect(response.status, code).toBe(status);
      expect(await response.json(), code).toMatchObject({ error: code });
    }
    // The caller is checked before the body: no credential, 401; another site's page, 403.
    expect((await new Session(server.baseUrl).json(url, 'POST', probeFor(mine.cameraIds[0]!))).status).toBe(401);
    const foreign = await agent.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
  });

  it('reads nothing: no deployments, alerts or pages; no deployment room; no sign-in with a password', async () => {
    const agent = apiKeySession(server.baseUrl, account.key);
    for (const path of ['/api/deployments', `/api/deployments/${mine.id}`, '/api/alerts', '/api/me', '/api/service-accounts']) {
      const response = await agent.fetch(path);
      expect(response.status, path).toBe(401);
      expect(await response.json(), path).toMatchObject({ error: 'unauthenticated', message: expect.stringMatching(/API key may only send probes/) });
    }
    const socket = await agentSocket(account.key);
    expect(await socket.timeout(5000).emitWithAck('deployment:join', { deploymentId: mine.id })).toEqual({
      ok: false,
      error: 'Your role may not receive alerts.',
    });
    socket.close();

    // A page on another site cannot open a socket with the key either (browsers say where they are).
    const crossSite = io(server.baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { authorization: `Bearer ${account.key}`, origin: 'https://elsewhere.example' },
    });
    opened.push(crossSite);
    const outcome = await new Promise<string>((resolve) => {
      crossSite.once('connect', () => resolve('connected'));
      crossSite.once('connect_error', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');

    // Whatever password is tried, the account's email never opens a session.
    const stranger = new Session(server.baseUrl);
    expect((await stranger.signIn(account.email, DEMO_PASSWORD)).ok).toBe(false);
    expect((await stranger.fetch('/api/me')).status).toBe(401);
    expect(await audit('auth.sign_in_failed')).toContainEqual(expect.objectContaining({ actorEmail: account.email, details: { reason: 'service_account' } }));
  });

  it('is shown on its deployment’s page and in its history, for those who authorise plans', async () => {
    const page = await officer.fetch(`/deployments/${mine.id}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-testid="deployment-agents"');
    expect(html).toMatch(/Oxford agent.*made by .*Key in use/s);
    const { history } = (await (await officer.fetch(`/api/deployments/${mine.id}`)).json()) as {
      history: { action: string; details: Record<string, unknown> }[];
    };
    expect(history).toContainEqual(
      expect.objectContaining({
        action: 'deployment.service_account_given',
        details: expect.objectContaining({ serviceAccountId: account.id, name: 'Oxford agent' }),
      }),
    );
    expect(await (await officer.fetch(`/deployments/${other.id}`)).text()).not.toContain('Oxford agent');
  });

  it('cannot be given a role or a password through the user admin, and no person can be made a camera agent', async () => {
    const patched = await admin.json(`/api/users/${account.id}`, 'PATCH', { role: 'operator' });
    expect(patched.status).toBe(409);
    expect(await patched.json()).toMatchObject({ message: expect.stringMatching(/service account/) });
    const reset = await admin.json(`/api/users/${account.id}/password`, 'POST', { password: 'a-long-enough-password' });
    expect(reset.status).toBe(409);
    const person = await admin.json('/api/users', 'POST', {
      email: 'robot@sightline.test',
      name: 'Robot',
      role: 'camera_agent',
      password: 'a-long-enough-password',
    });
    expect(person.status).toBe(422);
    expect(await person.json()).toMatchObject({ message: expect.stringMatching(/role must be one of: operator, senior_officer, admin, auditor/) });
  });
});

describe('refused keys', () => {
  it('answers 401 invalid_api_key for malformed, unknown, expired and revoked keys, over HTTP and at the handshake, and audits each', async () => {
    const expiring = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Expired agent' });
    await setKeyExpiry(expiring.keyId, new Date(Date.now() - 1000));
    const unknown = generateApiKey().text;
    const cases = [
      { key: 'not-a-key', reason: 'malformed', message: /malformed/ },
      { key: unknown, reason: 'unknown', message: /not known/ },
      // the right key id with another secret is as unknown as any other
      { key: `${expiring.key.slice(0, 29)}${unknown.slice(29)}`, reason: 'unknown', message: /not known/ },
      { key: expiring.key, reason: 'expired', message: /expired/ },
    ];
    for (const { key, message } of cases) {
      const response = await postProbe(apiKeySession(server.baseUrl, key), mineCamera(0));
      expect(response.status, key).toBe(401);
      expect(await response.json(), key).toMatchObject({ error: 'invalid_api_key', message: expect.stringMatching(message) });
      const { socket, error, message: said } = await connectWithApiKey(server.baseUrl, key);
      socket.close();
      expect(error, key).toBe('invalid_api_key');
      expect(said, key).toMatch(message);
    }
    const refusals = await audit('api_key.refused');
    for (const reason of ['malformed', 'unknown', 'expired'])
      expect(
        refusals.map((e) => e.details.reason),
        reason,
      ).toContain(reason);
    expect(refusals).toContainEqual(expect.objectContaining({ subjectId: expiring.keyId, actorEmail: expiring.email, details: { reason: 'expired' } }));
  });

  it('is refused within a second of a change nobody announced (its expiry moved in the database by hand)', async () => {
    // As when an announcement between instances is lost: the probe route's memory of a key lasts a second at most.
    const account = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Hand-expired agent' });
    const agent = apiKeySession(server.baseUrl, account.key);
    expect((await postProbe(agent, mineCamera(8))).status).toBe(200);
    await setKeyExpiry(account.keyId, new Date(Date.now() - 1000));
    const changedAt = Date.now();
    await new Promise((r) => setTimeout(r, Math.max(0, changedAt + 1000 - Date.now())));
    const response = await postProbe(agent, mineCamera(8));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_api_key', message: expect.stringMatching(/expired/) });
  });

  it('closes an open socket when its key expires', async () => {
    const account = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Short-lived agent' });
    await setKeyExpiry(account.keyId, new Date(Date.now() + 2500));
    const socket = await agentSocket(account.key);
    const closed = await closing(socket);
    expect(closed.reason).toMatch(/API key has expired/);
    expect(closed.ms).toBeLessThan(5000);
  });

  it('revoking disconnects the open socket at once; the key is then refused (401, audited) and cannot be rotated back', async () => {
    const account = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Revoked agent' });
    const socket = await agentSocket(account.key);
    expect(await socketProbe(socket, mineCamera(3))).toEqual({ matched: false });
    // Accepted over HTTP just before (the camera is the socket's: 409), so the probe route remembers the key.
    expect((await postProbe(apiKeySession(server.baseUrl, account.key), mineCamera(3))).status).toBe(409);
    const closed = closing(socket);
    const revoked = await admin.fetch(`/api/service-accounts/${account.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(200);
    // Refused at once all the same: the revocation is announced to the route's memory of keys.
    const response = await postProbe(apiKeySession(server.baseUrl, account.key), mineCamera(3));
    expect(await revoked.json()).toMatchObject({ state: 'revoked', currentKey: null });
    const { reason, ms } = await closed;
    expect(reason).toMatch(/revoked/);
    expect(ms).toBeLessThan(1000);

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_api_key', message: expect.stringMatching(/revoked/) });
    expect((await connectWithApiKey(server.baseUrl, account.key)).error).toBe('invalid_api_key');
    expect(await audit('api_key.refused')).toContainEqual(expect.objectContaining({ subjectId: account.keyId, details: { reason: 'revoked' } }));
    expect(await audit('service_account.revoked')).toContainEqual(
      expect.objectContaining({ subjectId: account.id, details: expect.objectContaining({ revokedKeyIds: [account.keyId] }) }),
    );

    expect((await admin.json(`/api/service-accounts/${account.id}/rotate`, 'POST', {})).status).toBe(409);
    expect((await admin.fetch(`/api/service-accounts/${account.id}`, { method: 'DELETE' })).status).toBe(409);
  });

  it('rotating: the old key stops at once (its socket closed), the new one works', async () => {
    const account = await createServiceAccount(server.baseUrl, admin, [mine.id], { name: 'Rotated agent' });
    const socket = await agentSocket(account.key);
    const closed = closing(socket);
    expect((await postProbe(apiKeySession(server.baseUrl, account.key), mineCamera(7))).status).toBe(200);
    const rotated = await admin.json(`/api/service-accounts/${account.id}/rotate`, 'POST', { expiresInDays: 30 });
    expect(rotated.status).toBe(200);
    const { key } = (await rotated.json()) as { key: { id: string; text: string; expiresAt: string } };
    expect(key.text).not.toBe(account.key);
    expect(new Date(key.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    expect((await closed).ms).toBeLessThan(1000);

    expect((await postProbe(apiKeySession(server.baseUrl, account.key), mineCamera(4))).status).toBe(401);
    expect((await postProbe(apiKeySession(server.baseUrl, key.text), mineCamera(4))).status).toBe(200);
    const fresh = await agentSocket(key.text);
    expect(await socketProbe(fresh, mineCamera(5))).toEqual({ matched: false });
    expect(await audit('service_account.key_rotated')).toContainEqual(
      expect.objectContaining({ subjectId: account.id, details: expect.objectContaining({ keyId: key.id, revokedKeyIds: [account.keyId] }) }),
    );
  });
});

describe('managing service accounts', () => {
  it('can be done by a set-up script acting as an admin (the demo), and the key it returns works', async () => {
    // In this process, on the server's own database (the server is idle meanwhile).
    process.env.DATABASE_URL = server.databaseUrl;
    const { createServiceAccountAs } = await import('@/lib/service-accounts/mutations');
    const { disconnectDb } = await import('@/lib/db/client');
    try {
      const adminId = ((await (await admin.fetch('/api/me')).json()) as { id: string }).id;
      const officerId = ((await (await officer.fetch('/api/me')).json()) as { id: string }).id;
      const key = await createServiceAccountAs(adminId, { name: 'Demo agent', deploymentIds: [mine.id] });
      expect((await postProbe(apiKeySession(server.baseUrl, key), mineCamera(6))).status).toBe(200);
      await expect(createServiceAccountAs(officerId, { name: 'Not allowed', deploymentIds: [mine.id] })).rejects.toThrow(/does not allow user:manage/);
      await expect(createServiceAccountAs(adminId, { name: 'Nowhere', deploymentIds: [] })).rejects.toThrow(/at least one deployment/);
    } finally {
      await disconnectDb();
    }
    expect(await audit('service_account.created')).toContainEqual(
      expect.objectContaining({ actorEmail: 'admin@sightline.test', details: expect.objectContaining({ name: 'Demo agent' }) }),
    );
  });

  it('is for admins only', async () => {
    for (const email of ['operator@sightline.test', 'officer@sightline.test', 'auditor@sightline.test']) {
      const session = await signedIn(email);
      expect((await session.fetch('/api/service-accounts')).status, email).toBe(403);
      expect((await session.json('/api/service-accounts', 'POST', { name: 'x', deploymentIds: [mine.id] })).status, email).toBe(403);
      expect((await session.fetch('/admin/service-accounts')).status, email).toBe(403);
    }
    const page = await admin.fetch('/admin/service-accounts');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Oxford agent');
    // The picker offers authorised and live deployments only.
    expect(html).toContain(`value="${other.id}"`);
    expect(html).not.toContain(`value="${unauthorised.id}"`);
  });

  it('names what is wrong with a request', async () => {
    const cases: [unknown, number, RegExp][] = [
      [{ name: 'No deployments', deploymentIds: [] }, 422, /at least one deployment/],
      [{ name: 'Unknown', deploymentIds: ['no-such-deployment'] }, 422, /No such deployment: no-such-deployment/],
      [
        { name: 'Too early', deploymentIds: [mine.id, unauthorised.id] },
        422,
        /only deployments that are authorised or live: “Agent: a draft nobody authorised” is a draft/,
      ],
      [{ name: 'Too long', deploymentIds: [mine.id], expiresInDays: 1000 }, 422, /at most 365/],
      [{ deploymentIds: [mine.id] }, 422, /name/],
      [{ name: 'Extra', deploymentIds: [mine.id], role: 'admin' }, 422, /role/],
    ];
    for (const [body, status, message] of cases) {
      const response = await admin.json('/api/service-accounts', 'POST', body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(((await response.json()) as { message: string }).message, JSON.stringify(body)).toMatch(message);
    }
    expect((await admin.json('/api/service-accounts/no-such-account/rotate', 'POST', {})).status).toBe(404);
  });
});
