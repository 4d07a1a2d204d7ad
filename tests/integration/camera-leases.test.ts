import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeAnswer } from '@/lib/face/probe';
import type { CameraLeaseView, LeaseOfferAnswer, LeaseRenewAnswer, ProbeRefusal, ServerToClientEvents } from '@/lib/realtime/events';
import { authorisePlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { io } from 'socket.io-client';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * Camera leases end to end (docs/architecture.md#camera-leases): two camera walls on one live
 * deployment, an HTTP sender, probes refused from non-holders, failover on a frozen and on a
 * disconnected holder, overlays relayed to everyone but their sender, and each face counted once.
 */

type OverlayFrameEvent = Parameters<ServerToClientEvents['overlay:frame']>[0];

let server: TestServer;
let officer: Session, operator: Session, operator2: Session, auditor: Session;
let live: DeploymentJson;
let probes: ProbeFixtures;
let cameraA: string, cameraB: string, cameraC: string;
const sockets: TestSocket[] = [];
/** The tables an auditor following the live overview was sent (`lease:changed`). */
const auditorChanges: CameraLeaseView[][] = [];

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

/** A camera wall: connected, offering cameras, and (while `renewing`) renewing once a second like the page does. */
type Wall = {
  socket: TestSocket;
  leases: CameraLeaseView[];
  overlays: OverlayFrameEvent[];
  renewing: boolean;
  stop: () => void;
};

async function wall(session: Session, cameraIds: string[]): Promise<Wall> {
  const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
  expect(error).toBeUndefined();
  sockets.push(socket);
  const state: Wall = { socket, leases: [], overlays: [], renewing: true, stop: () => clearInterval(timer) };
  socket.on('lease:changed', ({ deploymentId, leases }) => deploymentId === live.id && (state.leases = leases));
  socket.on('overlay:frame', (frame) => state.overlays.push(frame));
  const answer = (await socket.emitWithAck('lease:offer', { deploymentId: live.id, cameraIds })) as LeaseOfferAnswer;
  expect(answer.ok, JSON.stringify(answer)).toBe(true);
  if (answer.ok) state.leases = answer.leases;
  const timer = setInterval(() => {
    if (!state.renewing || !socket.connected) return;
    const held = state.leases.filter((l) => l.holder?.analyserId === socket.id);
    const cameras = held.map((l) => ({ cameraId: l.cameraId, state: 'analysing' as const, detectionsPerSecond: 5 }));
    for (const lease of held) touch(socket, lease.cameraId);
    // A renewal in flight when the server stops (the last test shuts it down) is simply lost.
    void socket
      .emitWithAck('lease:renew', { deploymentId: live.id, cameras })
      .then((a: LeaseRenewAnswer) => a.ok && (state.leases = a.leases))
      .catch(() => undefined);
  }, 1000);
  return state;
}

const holderId = (leases: CameraLeaseView[], cameraId: string) => leases.find((l) => l.cameraId === cameraId)?.holder?.analyserId ?? null;

async function tableOf(session: Session): Promise<CameraLeaseView[]> {
  const response = await session.fetch(`/api/deployments/${live.id}/leases`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { leases: CameraLeaseView[] }).leases;
}

/** When each socket last renewed or probed each camera (a holder's lease of a camera is renewed by both). */
const touched = new Map<string, number>();
const touch = (socket: TestSocket, cameraId: string) => touched.set(`${socket.id}/${cameraId}`, performance.now());

const probeOver = (socket: TestSocket, probe: { cameraId: string }) => {
  touch(socket, probe.cameraId);
  return socket.timeout(30_000).emitWithAck('probe:submit', { deploymentId: live.id, ...probe }) as Promise<ProbeAnswer | ProbeRefusal>;
};

/** Polls until `done`, answering the milliseconds it took (or failing after `limitMs`). */
async function timeUntil(done: () => boolean | Promise<boolean>, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!(await done())) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - started;
}

beforeAll(async () => {
  server = await startServer();
  officer = await signedIn('officer@sightline.test');
  const officer2 = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  operator2 = await signedIn('operator2@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const { id } = await createPlan(officer, validPlan([watchlists.find((w) => w.name === 'Demo — central London')!.id], { name: 'Leases' }));
  for (const name of ['Camera B', 'Camera C'])
    expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name })).status).toBe(201);
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  live = await getDeployment(officer, id);
  [cameraA, cameraB, cameraC] = live.cameras.map((c) => c.id) as [string, string, string];
  probes = await probeFixtures(cameraA);
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.stop();
});

describe('wall layouts (a person’s arrangement of a deployment’s wall: /api/deployments/[id]/wall-layout)', () => {
  const path = () => `/api/deployments/${live.id}/wall-layout`;

  it('is only for people who may watch the deployment’s tiles', async () => {
    const anonymous = new Session(server.baseUrl);
    expect((await anonymous.fetch(path())).status).toBe(401);
    expect((await anonymous.json(path(), 'PUT', { grid: 'auto', cameraOrder: [], hiddenCameras: [] })).status).toBe(401);
    const admin = await signedIn('admin@sightline.test');
    expect((await admin.fetch(path())).status).toBe(403);
    expect((await auditor.json(path(), 'PUT', { grid: 'auto', cameraOrder: [], hiddenCameras: [] })).status).toBe(403);
    expect((await operator.fetch('/api/deployments/no-such-deployment/wall-layout')).status).toBe(404);
    // A plan not yet authorised is hidden from operators: its wall too.
    const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string }[] };
    const { id: draft } = await createPlan(officer, validPlan([watchlists[0]!.id], { name: 'Wall layout draft' }));
    expect((await operator.fetch(`/api/deployments/${draft}/wall-layout`)).status).toBe(403);
  });

  it('saves each person’s own layout and gives it back; another person still has the default', async () => {
    expect(await (await operator.fetch(path())).json()).toEqual({ grid: 'auto', cameraOrder: [], hiddenCameras: [], saved: false });
    const layout = { grid: '4', cameraOrder: [cameraC, cameraA, cameraB], hiddenCameras: [cameraB] };
    const saved = await operator.json(path(), 'PUT', layout);
    expect(saved.status).toBe(200);
    expect(await (await operator.fetch(path())).json()).toEqual({ ...layout, saved: true });
    expect(((await (await operator2.fetch(path())).json()) as { saved: boolean }).saved).toBe(false);
    // Saving again replaces it.
    expect((await operator.json(path(), 'PUT', { ...layout, grid: '9', hiddenCameras: [] })).status).toBe(200);
    expect(await (await operator.fetch(path())).json()).toEqual({ ...layout, grid: '9', hiddenCameras: [], saved: true });
  });

  it('refuses what is not a layout with a 4xx naming the problem, and keeps what was saved', async () => {
    const malformed = await operator.fetch(path(), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"grid":' });
    expect(malformed.status).toBe(400);
    const notJson = await operator.fetch(path(), { method: 'PUT', headers: { 'content-type': 'text/plain' }, body: 'grid=4' });
    expect(notJson.status).toBe(415);
    const badGrid = await operator.json(path(), 'PUT', { grid: '5', cameraOrder: [], hiddenCameras: [] });
    expect(badGrid.status).toBe(422);
    expect(((await badGrid.json()) as { message: string }).message).toContain('grid must be auto, 1, 4, 9 or 16');
    const twice = await operator.json(path(), 'PUT', { grid: '4', cameraOrder: [cameraA, cameraA], hiddenCameras: [] });
    expect(((await twice.json()) as { message: string }).message).toContain('names a camera twice');
    const extra = await operator.json(path(), 'PUT', { grid: '4', cameraOrder: [], hiddenCameras: [], note: 'x' });
    expect(extra.status).toBe(422);
    const foreign = await operator.json(path(), 'PUT', { grid: '4', cameraOrder: ['not-a-camera-here'], hiddenCameras: [] });
    expect(foreign.status).toBe(422);
    expect(((await foreign.json()) as { message: string }).message).toBe('This deployment has no camera not-a-camera-here.');
    expect(((await (await operator.fetch(path())).json()) as { grid: string }).grid).toBe('9');
  });
});

describe('camera leases', () => {
  let wall1: Wall, wall2: Wall;

  it('gives each camera exactly one holder when two walls offer the same cameras, and refuses probes from the other', async () => {
    wall1 = await wall(operator, [cameraA, cameraB]);
    wall2 = await wall(operator2, [cameraA, cameraB]);
    const table = await tableOf(operator);
    expect(table.map((l) => l.cameraId)).toEqual([cameraA, cameraB, cameraC]);
    // Exactly one holder each (the first to offer), and nobody for the camera nobody offered.
    expect([cameraA, cameraB].map((c) => holderId(table, c))).toEqual([wall1.socket.id, wall1.socket.id]);
    expect(holderId(table, cameraC)).toBeNull();
    expect(table[0]!.holder).toEqual({ kind: 'browser', analyserId: wall1.socket.id, name: 'Olivia Operator' });
    // The second wall was told who holds them.
    await timeUntil(() => holderId(wall2.leases, cameraA) === wall1.socket.id, 2000);

    const refused = await probeOver(wall2.socket, fresh(probes.stranger, { cameraId: cameraA }));
    expect(refused).toMatchObject({ error: 'not_lease_holder', message: expect.stringContaining('another screen (Olivia Operator)') });
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraA }))).toEqual({ matched: false });

    // Roles that may not analyse cannot offer; only a live deployment's cameras can be offered.
    const { socket: auditorSocket } = await connectSocket(server.baseUrl, auditor.cookieHeader());
    sockets.push(auditorSocket);
    expect(await auditorSocket.emitWithAck('lease:offer', { deploymentId: live.id })).toMatchObject({ ok: false });
    expect(await wall1.socket.emitWithAck('lease:offer', { deploymentId: live.id, cameraIds: 'all' })).toMatchObject({ ok: false });
  });

  it('relays the holder’s overlays to the other walls, never to the sender, and drops anything but boxes', async () => {
    const frame = {
      deploymentId: live.id,
      cameraId: cameraA,
      frame: { width: 640, height: 480 },
      faces: [{ trackId: 'abcd-1', box: { x: 10, y: 20, width: 80, height: 90 }, state: 'matched' }],
    };
    // A viewer who only watches (deployment:join) gets the overlays too.
    const { socket: viewer } = await connectSocket(server.baseUrl, officer.cookieHeader());
    sockets.push(viewer);
    const viewed: OverlayFrameEvent[] = [];
    viewer.on('overlay:frame', (f) => viewed.push(f));
    expect(await viewer.emitWithAck('deployment:join', { deploymentId: live.id })).toEqual({ ok: true });
    wall1.socket.emit('overlay:publish', frame);
    // Not the holder: dropped. With a descriptor: refused by the strict schema.
    wall2.socket.emit('overlay:publish', frame);
    wall1.socket.emit('overlay:publish', { ...frame, faces: [{ ...frame.faces[0], descriptor: [0.1, 0.2] }] });
    wall1.socket.emit('overlay:publish', { ...frame, crop: '/9j/AAAA' });
    await timeUntil(() => wall2.overlays.length >= 1, 2000);
    await new Promise((r) => setTimeout(r, 300));
    expect(wall2.overlays).toHaveLength(1);
    expect(viewed).toHaveLength(1);
    expect(wall1.overlays).toHaveLength(0);
    const [received] = wall2.overlays;
    expect(Object.keys(received!).sort()).toEqual(['at', 'cameraId', 'deploymentId', 'faces', 'frame', 'holder']);
    expect(received).toMatchObject({ ...frame, holder: { kind: 'browser', name: 'Olivia Operator' } });
    expect(Object.keys(received!.faces[0]!).sort()).toEqual(['box', 'state', 'trackId']);

    // At most 10 a second per camera: a burst of 30 relays at most the bucket's 10.
    wall2.overlays = [];
    for (let i = 0; i < 30; i++) wall1.socket.emit('overlay:publish', frame);
    await new Promise((r) => setTimeout(r, 500));
    expect(wall2.overlays.length).toBeGreaterThan(0);
    expect(wall2.overlays.length).toBeLessThanOrEqual(15);
  });

  it('counts a face seen by both walls once: the holder’s probe, not the other’s', async () => {
    const face = fresh(probes.stranger, { cameraId: cameraB, trackId: 'both-walls' });
    const answers = await Promise.all([probeOver(wall1.socket, face), probeOver(wall2.socket, face)]);
    expect(answers).toEqual([{ matched: false }, expect.objectContaining({ error: 'not_lease_holder' })]);
  });

  it('moves the leases of a frozen holder (connected, no renewal) once the TTL has passed since it last renewed each, within 5 s', async () => {
    wall1.renewing = false;
    const frozenAt = performance.now();
    try {
      for (const cameraId of [cameraA, cameraB]) {
        await timeUntil(() => holderId(wall2.leases, cameraId) === wall2.socket.id, 10_000);
        const took = performance.now() - frozenAt;
        const sinceRenewal = performance.now() - touched.get(`${wall1.socket.id}/${cameraId}`)!;
        console.log(
          `[camera-leases] frozen holder: a lease moved ${Math.round(took)} ms after the freeze, ${Math.round(sinceRenewal)} ms after it was last renewed`,
        );
        // Not before the TTL (3 s, counted by the server from the renewal's arrival); the sweep runs every 0.5 s.
        expect(sinceRenewal).toBeGreaterThanOrEqual(3000);
        expect(took).toBeLessThan(5000);
      }
    } finally {
      wall1.renewing = true;
    }
    expect(await probeOver(wall2.socket, fresh(probes.stranger, { cameraId: cameraA }))).toEqual({ matched: false });
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraA }))).toMatchObject({ error: 'not_lease_holder' });
  });

  it('moves the leases of a disconnected holder to the other wall within 5 s', async () => {
    await timeUntil(() => holderId(wall1.leases, cameraA) === wall2.socket.id, 3000);
    // The first wall is back (it renews again after its freeze).
    expect(await wall1.socket.emitWithAck('lease:renew', { deploymentId: live.id, cameras: [] })).toMatchObject({ ok: true });
    const disconnectedAt = performance.now();
    wall2.stop();
    wall2.socket.disconnect();
    const took = await timeUntil(() => holderId(wall1.leases, cameraA) === wall1.socket.id && holderId(wall1.leases, cameraB) === wall1.socket.id, 5000);
    console.log(`[camera-leases] disconnected holder: lease moved after ${Math.round(took)} ms`);
    expect(performance.now() - disconnectedAt).toBeLessThan(5000);
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraA }))).toEqual({ matched: false });
  });

  it('makes an HTTP sender the holder of a free camera, and refuses a wall’s probe for it', async () => {
    // A wall whose offer leaves the free camera out may not take it by probing.
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraC }))).toMatchObject({
      error: 'not_lease_holder',
      message: expect.stringContaining('did not offer this camera'),
    });
    expect(holderId(await tableOf(operator), cameraC)).toBeNull();
    const http = await operator2.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.stranger, { cameraId: cameraC }));
    expect(http.status).toBe(200);
    expect(await http.json()).toEqual({ matched: false });
    expect((await tableOf(operator)).find((l) => l.cameraId === cameraC)!.holder!.analyserId).toMatch(/^http:/);
    // deployment:read may read the table, without analysers' ids (sockets') or reasons.
    const table = await tableOf(auditor);
    expect(table.find((l) => l.cameraId === cameraC)!.holder).toEqual({ kind: 'http', analyserId: '', name: 'Omar Operator' });
    expect(table.every((l) => !l.holder || l.holder.analyserId === '')).toBe(true);
    const { socket: auditorSocket } = await connectSocket(server.baseUrl, auditor.cookieHeader());
    sockets.push(auditorSocket);
    auditorSocket.on('lease:changed', (p) => p.deploymentId === live.id && auditorChanges.push(p.leases));
    const overview = await auditorSocket.emitWithAck('overview:join', {});
    const auditorsLeases = overview.ok ? overview.deployments.find((d) => d.id === live.id)!.leases : [];
    expect(auditorsLeases.filter((l) => l.holder).length).toBeGreaterThan(0);
    expect(auditorsLeases.every((l) => !l.holder || l.holder.analyserId === '')).toBe(true);
    // overview:join reads the database: a few per socket, then refused.
    const joins = await Promise.all([1, 2, 3].map(() => auditorSocket.emitWithAck('overview:join', {})));
    expect(joins.map((j) => j.ok)).toEqual([true, true, false]);
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraC }))).toMatchObject({
      error: 'not_lease_holder',
      message: expect.stringContaining('another system (Omar Operator)'),
    });
    // Another HTTP session is another sender.
    const other = await (await signedIn('operator@sightline.test')).json(
      `/api/deployments/${live.id}/probes`,
      'POST',
      fresh(probes.stranger, { cameraId: cameraC }),
    );
    expect(other.status).toBe(409);
    expect(await other.json()).toMatchObject({ error: 'not_lease_holder' });
    expect((await new Session(server.baseUrl).fetch(`/api/deployments/${live.id}/leases`)).status).toBe(401);
  });

  it('tells a camera agent only of its own cameras, sends it no overlays, and audits its taking a camera from a wall', async () => {
    const admin = await signedIn('admin@sightline.test');
    const created = await admin.json('/api/service-accounts', 'POST', { name: 'Lease agent', deploymentIds: [live.id] });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: { text: string } };
    const agent: TestSocket = io(server.baseUrl, { path: '/socket.io', transports: ['websocket'], reconnection: false, auth: { token: key.text } });
    sockets.push(agent);
    await new Promise<void>((resolve, reject) => {
      agent.once('connect', resolve);
      agent.once('connect_error', reject);
    });
    const changed: CameraLeaseView[][] = [];
    const overlays: OverlayFrameEvent[] = [];
    agent.on('lease:changed', (p) => p.deploymentId === live.id && changed.push(p.leases));
    agent.on('overlay:frame', (f) => overlays.push(f));

    const offered = (await agent.emitWithAck('lease:offer', { deploymentId: live.id, cameraIds: [cameraB] })) as LeaseOfferAnswer;
    expect(offered.ok).toBe(true);
    // It takes the camera from the wall, and hears of no other camera.
    expect(offered.ok && offered.leases).toEqual([
      expect.objectContaining({ cameraId: cameraB, holder: { kind: 'agent', analyserId: agent.id, name: 'Lease agent' } }),
    ]);
    const renewed = (await agent.emitWithAck('lease:renew', {
      deploymentId: live.id,
      cameras: [{ cameraId: cameraB, state: 'analysing', detectionsPerSecond: 3 }],
    })) as LeaseRenewAnswer;
    expect(renewed.ok && renewed.leases.map((l) => l.cameraId)).toEqual([cameraB]);
    expect(await probeOver(wall1.socket, fresh(probes.stranger, { cameraId: cameraB }))).toMatchObject({ error: 'not_lease_holder' });
    // Overlays of a wall's camera, and lease changes of others' cameras, do not reach it.
    wall1.socket.emit('overlay:publish', {
      deploymentId: live.id,
      cameraId: cameraA,
      frame: { width: 640, height: 480 },
      faces: [{ trackId: 'agent-1', box: { x: 10, y: 20, width: 80, height: 90 }, state: 'matched' }],
    });
    await timeUntil(() => changed.length > 0, 3000);
    await new Promise((r) => setTimeout(r, 500));
    expect(overlays).toEqual([]);
    expect(changed.every((leases) => leases.every((l) => l.cameraId === cameraB))).toBe(true);
    // The auditor following the overview was told of the move, without socket ids.
    expect(auditorChanges.length).toBeGreaterThan(0);
    expect(auditorChanges.flat().every((l) => !l.holder || l.holder.analyserId === '')).toBe(true);

    const response = await admin.fetch('/api/audit?action=camera_lease.taken_by_agent&pageSize=50');
    expect(response.status).toBe(200);
    const { events } = (await response.json()) as { events: { subjectId: string; details: { cameraId: string } }[] };
    expect(events).toEqual([expect.objectContaining({ subjectId: live.id, details: expect.objectContaining({ cameraId: cameraB }) })]);

    agent.close();
    await timeUntil(() => holderId(wall1.leases, cameraB) === wall1.socket.id, 3000);
  });

  it('shows the table on the live overview (home page and overview:join), and drops it when the deployment ends', async () => {
    const { socket: overview } = await connectSocket(server.baseUrl, officer.cookieHeader());
    sockets.push(overview);
    const answer = await overview.emitWithAck('overview:join', {});
    expect(answer.ok).toBe(true);
    const mine = answer.ok ? answer.deployments.find((d) => d.id === live.id) : undefined;
    expect(mine?.cameras.map((c) => c.name)).toEqual(live.cameras.map((c) => c.name));
    expect(holderId(mine!.leases, cameraA)).toBe(wall1.socket.id);
    const home = await (await officer.fetch('/')).text();
    expect(home).toContain('Cameras needing attention');
    expect(home).toContain('Leases');

    // Changes keep coming while the walls renew (a holder's rate, the HTTP sender's state): wait for
    // the one that empties the table, which must come promptly once the deployment is ended.
    const asked = Date.now();
    const dropped = new Promise<number>((resolve) =>
      overview.on('lease:changed', (p) => p.deploymentId === live.id && p.leases.length === 0 && resolve(Date.now())),
    );
    expect((await officer.json(`/api/deployments/${live.id}/end`, 'POST', { reason: 'Operation complete' })).status).toBe(200);
    expect((await dropped) - asked).toBeLessThan(3000);
    expect(await (await operator.fetch(`/api/deployments/${live.id}/leases`)).json()).toEqual({ deploymentId: live.id, live: false, leases: [] });
    expect(await wall1.socket.emitWithAck('lease:renew', { deploymentId: live.id, cameras: [] })).toMatchObject({ ok: false });
  });

  it('stored the faces processed once per face, by the holder', async () => {
    await server.shutdown(); // flushes the counts of the current minute
    const rows = await rawQuery<{ cameraId: string; count: number | string }>(server.databaseUrl, 'SELECT "cameraId", count FROM "FaceCount"');
    const counted = (cameraId: string) => rows.filter((r) => r.cameraId === cameraId).reduce((sum, r) => sum + Number(r.count), 0);
    // A: the holder's face in the first test, after the freeze and after the disconnection; B: the face both walls saw; C: the HTTP sender's.
    expect([counted(cameraA), counted(cameraB), counted(cameraC)]).toEqual([3, 1, 1]);
  });
});
