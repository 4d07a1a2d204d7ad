import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CameraLeaseView, LeaseOfferAnswer, LeaseRenewAnswer } from '@/lib/realtime/events';
import { authorisePlan, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { rawQuery } from '../support/raw-db';
import { seededDatabase, startServer, type TestDatabase, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

/**
 * Camera leases across two instances on one PostgreSQL database (lib/live/cluster-leases.ts): two
 * camera walls connected to different instances offer the same camera, exactly one analyses it and
 * the other is told another screen does; when the holder goes the other takes it within seconds.
 * PostgreSQL only (vitest.config.ts POSTGRES_ONLY): several instances cannot share SQLite.
 */

let db: TestDatabase;
let a: TestServer, b: TestServer;
let live: DeploymentJson;
const sockets: TestSocket[] = [];

async function signedIn(server: TestServer, email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

type Wall = { socket: TestSocket; leases: CameraLeaseView[] };

/** A camera wall on this instance: offers the deployment's cameras and renews those it holds once a second, like the page. */
async function wall(server: TestServer, session: Session): Promise<Wall> {
  const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
  expect(error).toBeUndefined();
  sockets.push(socket);
  const state: Wall = { socket, leases: [] };
  socket.on('lease:changed', ({ deploymentId, leases }) => deploymentId === live.id && (state.leases = leases));
  const answer = (await socket.emitWithAck('lease:offer', { deploymentId: live.id })) as LeaseOfferAnswer;
  expect(answer.ok, JSON.stringify(answer)).toBe(true);
  if (answer.ok) state.leases = answer.leases;
  const timer = setInterval(() => {
    if (!socket.connected) return clearInterval(timer);
    const cameras = state.leases
      .filter((l) => l.holder?.analyserId === socket.id)
      .map((l) => ({ cameraId: l.cameraId, state: 'analysing' as const, detectionsPerSecond: 5 }));
    void socket
      .emitWithAck('lease:renew', { deploymentId: live.id, cameras })
      .then((reply: LeaseRenewAnswer) => reply.ok && (state.leases = reply.leases))
      .catch(() => undefined);
  }, 1000);
  return state;
}

const holderOf = (w: Wall) => w.leases[0]?.holder ?? null;
const holds = (w: Wall) => holderOf(w)?.analyserId === w.socket.id;

async function timeUntil(done: () => boolean, limitMs: number): Promise<number> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > limitMs) throw new Error(`not within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return performance.now() - started;
}

beforeAll(async () => {
  db = await seededDatabase();
  const env = { SIGHTLINE_ADAPTER: 'postgres', AUTH_SECRET: randomBytes(32).toString('base64url') };
  [a, b] = await Promise.all([
    startServer({ databaseOf: db, env: { ...env, SIGHTLINE_INSTANCE: 'a' } }),
    startServer({ databaseOf: db, env: { ...env, SIGHTLINE_INSTANCE: 'b' } }),
  ]);
  const [officer, officer2] = await Promise.all([signedIn(a, 'officer@sightline.test'), signedIn(a, 'officer2@sightline.test')]);
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const { id } = await createPlan(officer, validPlan([watchlists.find((w) => w.name === 'Demo — central London')!.id], { name: 'Shared leases' }));
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  live = await getDeployment(officer, id);
  expect(live.status).toBe('live');
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await Promise.all([a?.shutdown(), b?.shutdown()]);
  await db?.stop();
});

describe('camera leases shared between instances', () => {
  it('gives a camera offered on both instances to one wall, shows it as another screen on the other, and moves it when the holder goes', async () => {
    const cameraId = live.cameras[0]!.id;
    const [onA, onB] = await Promise.all([wall(a, await signedIn(a, 'operator@sightline.test')), wall(b, await signedIn(b, 'operator2@sightline.test'))]);
    // Both may hold it for a moment (one step of the shared table); then exactly one does, and the other names it.
    await timeUntil(() => holds(onA) !== holds(onB) && holderOf(onA) !== null && holderOf(onB) !== null, 5000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(holds(onA)).not.toBe(holds(onB));
    const [holder, other] = holds(onA) ? [onA, onB] : [onB, onA];
    expect(holderOf(other)).toMatchObject({ kind: 'browser', analyserId: '' });
    expect(holderOf(other)!.name).toBe(holderOf(holder)!.name);
    const rows = await rawQuery<{ instance: string; holderKind: string }>(
      db.databaseUrl,
      'SELECT instance, "holderKind" FROM "CameraLease" WHERE "cameraId" = $1',
      [cameraId],
    );
    expect(rows).toEqual([{ instance: expect.stringMatching(holder === onA ? /^a#/ : /^b#/), holderKind: 'browser' }]);

    // The holder's tab closes: the other instance's wall takes the camera within a few seconds.
    holder.socket.close();
    const tookMs = await timeUntil(() => holds(other), 5000);
    console.info(`[cluster-leases] camera moved to the other instance's wall in ${Math.round(tookMs)} ms`);
    // And its instance takes the shared row at its next step.
    const otherInstance = holder === onA ? 'b' : 'a';
    const deadline = Date.now() + 2000;
    let instances: string[] = [];
    while (Date.now() < deadline) {
      instances = (await rawQuery<{ instance: string }>(db.databaseUrl, 'SELECT instance FROM "CameraLease" WHERE "cameraId" = $1', [cameraId])).map(
        (r) => r.instance[0]!,
      );
      if (instances.join() === otherInstance) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(instances).toEqual([otherInstance]);
  });
});
