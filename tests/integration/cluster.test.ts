import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import type { CameraLeaseView, ClientToServerEvents, ClusterHealth, LeaseOfferAnswer, LeaseRenewAnswer, ServerToClientEvents } from '@/lib/realtime/events';
import type { Socket } from 'socket.io-client';
import { startBalancer, type Balancer } from '../../scripts/lib/balancer';
import { authorisePlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { freePort, seededDatabase, startServer, type TestDatabase, type TestServer } from '../support/server';
import { createAccount, DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * Two Sightline instances on one PostgreSQL database, joined by the PostgreSQL adapter, with
 * HAProxy in front (docs/architecture.md#several-instances): every guarantee of one instance holds across
 * both. PostgreSQL only (vitest.config.ts POSTGRES_ONLY): several instances cannot share SQLite.
 */

let db: TestDatabase;
let a: TestServer, b: TestServer;
let balancer: Balancer;
let officer: Session, officer2: Session, operator: Session, auditor: Session, admin: Session;
const DEMO_USERS = ['officer', 'officer2', 'operator', 'auditor', 'admin'] as const;
let live: DeploymentJson, second: DeploymentJson, leased: DeploymentJson;
let probes: ProbeFixtures;
const sockets: { close(): void }[] = [];

const portOf = (server: TestServer) => Number(new URL(server.baseUrl).port);
const count = async (sql: string, params: unknown[] = []) => Number((await rawQuery<{ n: number | string }>(db.databaseUrl, sql, params))[0]!.n);

async function signedIn(email: string, password = DEMO_PASSWORD) {
  const session = new Session(a.baseUrl);
  expect((await session.signIn(email, password)).ok).toBe(true);
  return session;
}

/** A socket of this user on this instance, joined to the deployment's room, recording alert events. */
async function socketOn(server: TestServer, session: Session, deploymentId: string) {
  const connected = await connectSocket(server.baseUrl, session.cookieHeader());
  expect(connected.error).toBeUndefined();
  sockets.push(connected.socket);
  const events: { event: string; alert: AlertView }[] = [];
  for (const event of ['alert:created', 'alert:updated', 'alert:claimed', 'alert:decided'] as const) {
    connected.socket.on(event, (alert) => events.push({ event, alert }));
  }
  expect(await connected.socket.emitWithAck('deployment:join', { deploymentId })).toEqual({ ok: true });
  return { socket: connected.socket, events };
}

async function until<T>(what: string, read: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function probe(socket: TestSocket, deploymentId: string, cameraId: string, face: 'match' | 'stranger' = 'match') {
  return socket.emitWithAck('probe:submit', { deploymentId, ...fresh(probes[face], { cameraId }) }) as Promise<
    { matched: boolean; alertId?: string } | { error: string; message: string }
  >;
}

type Wall = { socket: TestSocket; leases: CameraLeaseView[] };

/** A camera wall on this instance: offers the deployment's cameras and renews those it holds once a second, like the page. */
async function wall(server: TestServer, session: Session, deploymentId: string): Promise<Wall> {
  const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
  expect(error).toBeUndefined();
  sockets.push(socket);
  const state: Wall = { socket, leases: [] };
  socket.on('lease:changed', (change) => change.deploymentId === deploymentId && (state.leases = change.leases));
  const answer = (await socket.emitWithAck('lease:offer', { deploymentId })) as LeaseOfferAnswer;
  expect(answer.ok, JSON.stringify(answer)).toBe(true);
  if (answer.ok) state.leases = answer.leases;
  const timer = setInterval(() => {
    if (!socket.connected) return clearInterval(timer);
    const cameras = state.leases
      .filter((l) => l.holder?.analyserId === socket.id)
      .map((l) => ({ cameraId: l.cameraId, state: 'analysing' as const, detectionsPerSecond: 5 }));
    void socket
      .emitWithAck('lease:renew', { deploymentId, cameras })
      .then((reply: LeaseRenewAnswer) => reply.ok && (state.leases = reply.leases))
      .catch(() => undefined);
  }, 1000);
  return state;
}

async function liveDeployment(name: string, cameras: number): Promise<DeploymentJson> {
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demo = watchlists.find((w) => w.name === 'Demo — central London')!;
  const { id } = await createPlan(officer, validPlan([demo.id], { name }));
  for (let i = 1; i < cameras; i++) {
    expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: `${name} camera ${i + 1}` })).status).toBe(201);
  }
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  const deployment = await getDeployment(officer, id);
  expect(deployment.status).toBe('live');
  return deployment;
}

beforeAll(async () => {
  db = await seededDatabase();
  const env = { SIGHTLINE_ADAPTER: 'postgres', AUTH_SECRET: randomBytes(32).toString('base64url'), TRUST_PROXY: '127.0.0.1' };
  [a, b] = await Promise.all([
    startServer({ databaseOf: db, env: { ...env, SIGHTLINE_INSTANCE: 'a' } }),
    startServer({ databaseOf: db, env: { ...env, SIGHTLINE_INSTANCE: 'b' } }),
  ]);
  balancer = await startBalancer(await freePort(), [
    { name: 'a', port: portOf(a) },
    { name: 'b', port: portOf(b) },
  ]);
  const signed = await Promise.all(DEMO_USERS.map((name) => signedIn(`${name}@sightline.test`)));
  [officer, officer2, operator, auditor, admin] = signed as [Session, Session, Session, Session, Session];
  [live, second, leased, probes] = await Promise.all([
    liveDeployment('Cluster test', 4),
    liveDeployment('Cluster suspend test', 2),
    liveDeployment('Cluster leases test', 2),
    // (each probe names its camera when sent)
    probeFixtures('set-per-probe'),
  ]);
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await balancer?.stop();
  await Promise.all([a?.shutdown(), b?.shutdown()]);
  await db?.stop();
});

describe('two instances behind one address', () => {
  it('names each instance on its health answer and joins them through the PostgreSQL adapter', async () => {
    const [ha, hb] = await Promise.all([a, b].map(async (s) => (await fetch(`${s.baseUrl}/api/health`)).json()));
    expect(ha).toMatchObject({ status: 'ok', cluster: { adapter: 'postgres', realtime: 'ok', instance: 'a' } });
    expect(hb).toMatchObject({ status: 'ok', cluster: { adapter: 'postgres', realtime: 'ok', instance: 'b' } });
  });

  it('runs each recurring job on one instance: the lead of every job is one advisory lock, held by one of the two', async () => {
    // lib/db/locks.ts: key space 2 holds one lock per job name, taken by the instance that leads it.
    const held = await rawQuery<{ objid: string; pid: number }>(
      db.databaseUrl,
      `SELECT objid::text, pid FROM pg_locks WHERE locktype = 'advisory' AND classid = 2 AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    // deployments, alerts (lapses and retention), sessions: each led exactly once.
    expect(held.length).toBeGreaterThanOrEqual(3);
    expect(new Set(held.map((lock) => lock.objid)).size).toBe(held.length);
  });

  it('camera leases are shared: a camera offered on both instances goes to one wall, the other names it, and it moves when the holder goes', async () => {
    const cameraId = leased.cameras[0]!.id;
    const operator2 = await signedIn('operator2@sightline.test');
    const [onA, onB] = await Promise.all([wall(a, operator, leased.id), wall(b, operator2.at(b.baseUrl), leased.id)]);
    const holderOf = (w: Wall) => w.leases[0]?.holder ?? null;
    const holds = (w: Wall) => holderOf(w)?.analyserId === w.socket.id;
    // Both may hold it for a moment (one step of the shared table); then exactly one does, and the other names it.
    await until('one holder', () => (holds(onA) !== holds(onB) && holderOf(onA) && holderOf(onB) ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(holds(onA)).not.toBe(holds(onB));
    const [holder, other] = holds(onA) ? [onA, onB] : [onB, onA];
    expect(holderOf(other)).toMatchObject({ kind: 'browser', analyserId: '', name: holderOf(holder)!.name });
    const rows = await rawQuery<{ instance: string; holderKind: string }>(
      db.databaseUrl,
      'SELECT instance, "holderKind" FROM "CameraLease" WHERE "cameraId" = $1',
      [cameraId],
    );
    expect(rows).toEqual([{ instance: expect.stringMatching(holder === onA ? /^a#/ : /^b#/), holderKind: 'browser' }]);

    // The holder's tab closes: the other instance's wall takes the camera within a few seconds, and its instance the shared row.
    holder.socket.close();
    await until('the other wall holds it', () => holds(other) || undefined, 5000);
    const otherInstance = holder === onA ? 'b' : 'a';
    await until(
      'the row moves',
      async () =>
        (await rawQuery<{ instance: string }>(db.databaseUrl, 'SELECT instance FROM "CameraLease" WHERE "cameraId" = $1', [cameraId]))
          .map((r) => r.instance[0])
          .join() === otherInstance || undefined,
      2000,
    );
    other.socket.close();
  });

  it('an HTTP sender whose requests the balancer spreads over both instances keeps its camera on both', async () => {
    const cameraId = leased.cameras[1]!.id;
    const send = (server: TestServer) => operator.at(server.baseUrl).json(`/api/deployments/${leased.id}/probes`, 'POST', fresh(probes.stranger, { cameraId }));
    // (the walls of the test before may still hold it for a step)
    await until('the first probe accepted', async () => ((await send(a)).status === 200 ? true : undefined), 3000);
    // A's next step (every 0.5 s) writes the shared row naming this sender.
    await new Promise((r) => setTimeout(r, 700));
    const statuses: number[] = [];
    for (const server of [b, a, b, a, b, a]) {
      statuses.push((await send(server)).status);
      // A step of the shared leases (every 0.5 s) between sends, so each instance has seen the other's row.
      await new Promise((r) => setTimeout(r, 400));
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('an alert raised through instance A reaches an operator connected to instance B', async () => {
    const sender = await socketOn(a, operator, live.id);
    const watcher = await socketOn(b, operator, live.id);
    const answer = await probe(sender.socket, live.id, live.cameras[0]!.id);
    expect(answer).toEqual({ matched: true, alertId: expect.any(String) });
    const alertId = (answer as { alertId: string }).alertId;
    const seen = await until('alert:created on B', () => watcher.events.find((e) => e.event === 'alert:created' && e.alert.id === alertId));
    expect(seen.alert).toMatchObject({ deploymentId: live.id, reference: 'DEMO-WAR-0001', status: 'new' });
  });

  it('the same sighting arriving at both instances at once raises one alert', async () => {
    const onA = await socketOn(a, operator, live.id);
    const onB = await socketOn(b, operator, live.id);
    for (const camera of live.cameras.slice(1)) {
      const answers = await Promise.all([probe(onA.socket, live.id, camera.id), probe(onB.socket, live.id, camera.id)]);
      const ids = answers.map((answer) => (answer as { alertId?: string }).alertId);
      expect(ids[0]).toEqual(expect.any(String));
      expect(ids[1]).toBe(ids[0]);
      expect(await count('SELECT COUNT(*) AS n FROM "Alert" WHERE "cameraId" = $1', [camera.id])).toBe(1);
      expect(await count('SELECT sightings AS n FROM "Alert" WHERE id = $1', [ids[0]])).toBe(2);
    }
    onA.socket.close();
    onB.socket.close();
  });

  it('ten concurrent claims spread over both instances leave exactly one holder', async () => {
    const alertId = (await rawQuery<{ id: string }>(db.databaseUrl, 'SELECT id FROM "Alert" WHERE "cameraId" = $1', [live.cameras[1]!.id]))[0]!.id;
    const extra = await Promise.all(
      [1, 2, 3].map((i) => createAccount(admin, { email: `cluster-operator-${i}@sightline.test`, name: `Cluster Operator ${i}`, role: 'operator' })),
    );
    const operator2 = await signedIn('operator2@sightline.test');
    const claimants = [operator, operator2, ...extra.map((e) => e.session)];
    const attempts = claimants.flatMap((session, i) => [
      { who: i, session: session.at(a.baseUrl) },
      { who: i, session: session.at(b.baseUrl) },
    ]);
    const answers = await Promise.all(
      attempts.map(async ({ who, session }) => ({ who, status: (await session.json(`/api/alerts/${alertId}/claim`, 'POST', {})).status })),
    );
    const winners = new Set(answers.filter((x) => x.status === 200).map((x) => x.who));
    expect(winners.size).toBe(1);
    expect(answers.filter((x) => !winners.has(x.who)).every((x) => x.status === 409)).toBe(true);
    expect(await count('SELECT COUNT(DISTINCT "claimedById") AS n FROM "Alert" WHERE id = $1 AND "claimedById" IS NOT NULL', [alertId])).toBe(1);
  });

  it('failed sign-ins on both instances count together', async () => {
    const { password } = await createAccount(admin, { email: 'cluster-limited@sightline.test', name: 'Cluster Limited', role: 'operator' });
    // Five failures allowed per account (SIGN_IN_MAX_FAILURES_PER_ACCOUNT): three on A, two on B, each from its own address.
    const from = (server: TestServer, i: number) => new Session(server.baseUrl, { 'x-forwarded-for': `198.51.100.${10 + i}` });
    const failures = await Promise.all([a, a, a, b, b].map((server, i) => from(server, i).signIn('cluster-limited@sightline.test', 'wrong password')));
    expect(failures.every((f) => !f.ok)).toBe(true);
    for (const server of [a, b]) {
      const blocked = await from(server, 9).signIn('cluster-limited@sightline.test', password);
      expect(blocked.ok).toBe(false);
      expect(blocked.location).toContain('code=rate_limited');
    }
  });

  it('a suspension made through A stops B accepting faces within a second', async () => {
    // Each instance's sender its own camera: camera leases are shared, so one camera is analysed through one instance.
    const [cameraOfA, cameraOfB] = second.cameras.map((c) => c.id) as [string, string];
    const onA = await socketOn(a, operator, second.id);
    const onB = await socketOn(b, operator, second.id);
    // Both instances have the deployment's live state cached now (it is kept for up to a second).
    expect(await probe(onA.socket, second.id, cameraOfA, 'stranger')).toEqual({ matched: false });
    expect(await probe(onB.socket, second.id, cameraOfB, 'stranger')).toEqual({ matched: false });
    const suspended = await officer.json(`/api/deployments/${second.id}/suspend`, 'POST', { reason: 'Cluster test: both instances stop at once.' });
    expect(suspended.status).toBe(200);
    const committedAt = Date.now();
    const refusedAt = await Promise.all(
      [
        [onB.socket, cameraOfB],
        [onA.socket, cameraOfA],
      ].map(([socket, camera]) =>
        until(
          'a probe refused as not live',
          async () =>
            ((await probe(socket as TestSocket, second.id, camera as string, 'stranger')) as { error?: string }).error === 'deployment_not_live'
              ? Date.now()
              : undefined,
          2000,
        ),
      ),
    );
    for (const at of refusedAt) expect(at - committedAt).toBeLessThan(1000);
    onA.socket.close();
    onB.socket.close();
  });

  it('killing an instance under load loses nothing acknowledged; its sockets reconnect through the balancer to the other, and the audit chain verifies', async () => {
    // A control-room screen connected through the balancer, reconnecting as browsers do.
    const screen: Socket<ServerToClientEvents, ClientToServerEvents> = io(balancer.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie: operator.cookieHeader() },
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    });
    sockets.push(screen);
    const health: ClusterHealth[] = [];
    screen.on('cluster:health', (h) => health.push(h));
    const received: AlertView[] = [];
    screen.on('alert:created', (alert) => received.push(alert));
    screen.on('connect', () => void screen.emitWithAck('deployment:join', { deploymentId: live.id }));
    const first = await until('the screen is connected', () => health[0]);
    const victim = first.instance === 'a' ? a : b;
    const survivor = victim === a ? b : a;

    // Load on both instances: faces over HTTP (each instance's sender holds its own camera).
    const acknowledged: { alertId: string; instance: string }[] = [];
    const senders = [
      { server: victim, session: operator.at(victim.baseUrl), camera: live.cameras[2]!.id },
      { server: survivor, session: operator.at(survivor.baseUrl), camera: live.cameras[3]!.id },
    ];
    let running = true;
    const loadStartedAt = new Date();
    const load = senders.map(async ({ server, session, camera }) => {
      while (running) {
        try {
          const response = await session.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.match, { cameraId: camera }));
          if (response.status === 200) {
            const answer = (await response.json()) as { matched: boolean; alertId?: string };
            if (answer.alertId) acknowledged.push({ alertId: answer.alertId, instance: server === a ? 'a' : 'b' });
          }
        } catch {
          // the victim's connections fail once it is killed: nothing was acknowledged by them
        }
      }
    });
    // A claim and a decision acknowledged by the victim just before it dies (on the first test's
    // alert: the loaded ones change version with every sighting).
    const decidedId = (
      await rawQuery<{ id: string }>(db.databaseUrl, `SELECT id FROM "Alert" WHERE "cameraId" = $1 AND status = 'new'`, [live.cameras[0]!.id])
    )[0]!.id;
    const onVictim = operator.at(victim.baseUrl);
    const claimed = await onVictim.json(`/api/alerts/${decidedId}/claim`, 'POST', {});
    expect(claimed.status).toBe(200);
    const { version } = (await claimed.json()) as { version: number };
    const decided = await onVictim.json(`/api/alerts/${decidedId}/decision`, 'POST', { decision: 'false_alert', version });
    expect(decided.status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    await victim.kill('SIGKILL');

    // The screen comes back through the balancer on the other instance and joins its room again.
    const again = await until('the screen reconnected', () => health.find((h) => h.instance !== first.instance), 15_000);
    expect(again.instance).toBe(survivor === a ? 'a' : 'b');
    await new Promise((r) => setTimeout(r, 500));
    running = false;
    await Promise.all(load);

    // Nothing acknowledged was lost: every alert answered to a sender is stored.
    expect(acknowledged.length).toBeGreaterThan(1);
    const ids = [...new Set(acknowledged.map((x) => x.alertId))];
    expect(await count('SELECT COUNT(*) AS n FROM "Alert" WHERE id = ANY($1)', [ids])).toBe(ids.length);
    for (const id of ids) {
      const acks = acknowledged.filter((x) => x.alertId === id).length;
      expect(await count('SELECT sightings AS n FROM "Alert" WHERE id = $1', [id])).toBeGreaterThanOrEqual(acks);
    }
    expect(await count(`SELECT COUNT(*) AS n FROM "Alert" WHERE id = $1 AND decision = 'false_alert'`, [decidedId])).toBe(1);

    // The reconnected screen is back in its room: a new alert raised on the survivor reaches it, and
    // what changed while it was away is what ?since= answers (the alert feed's resync).
    const fresher = await socketOn(survivor, operator, live.id);
    // (the dead instance's hold on the camera lapses within the lease's 3 s)
    const raised = await until(
      'a match through the survivor',
      async () => {
        const answer = (await probe(fresher.socket, live.id, live.cameras[0]!.id)) as { alertId?: string };
        return answer.alertId ? { alertId: answer.alertId } : undefined;
      },
      8000,
    );
    await until('the new alert on the reconnected screen', () => received.find((alert) => alert.id === raised.alertId));
    const resync = (await (
      await operator.at(survivor.baseUrl).fetch(`/api/alerts?deploymentId=${live.id}&since=${encodeURIComponent(loadStartedAt.toISOString())}`)
    ).json()) as { alerts: { id: string }[] };
    expect(resync.alerts.map((x) => x.id)).toEqual(expect.arrayContaining(ids));

    const verify = (await (await auditor.at(survivor.baseUrl).fetch('/api/audit/verify')).json()) as { ok: boolean; gaps: unknown[] };
    expect(verify).toMatchObject({ ok: true, gaps: [] });
  });
});
