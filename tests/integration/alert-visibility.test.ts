import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import { authorisedPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures } from '../support/probes';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';
import type { ClaimLost } from '@/lib/realtime/events';

/**
 * Alerts follow their deployment's visibility rule: operators see a deployment once it has been
 * authorised, so when a plan goes back to draft they lose its alerts, crops, claims, decisions —
 * and the reference images those alerts matched — with it. Senior officers (who plan) keep them.
 */

let server: TestServer;
let officer: Session, officer2: Session, operator: Session, operator2: Session, admin: Session, auditor: Session;
let deployment: DeploymentJson;
let alert: AlertView;
let claimedByOperator2: AlertView;
let socket: TestSocket;
const pushed: string[] = [];

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

const post = (session: Session, path: string, body?: unknown) =>
  body === undefined ? session.fetch(path, { method: 'POST' }) : session.json(path, 'POST', body);

beforeAll(async () => {
  server = await startServer();
  officer = await signedIn('officer@sightline.test');
  officer2 = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  operator2 = await signedIn('operator2@sightline.test');
  admin = await signedIn('admin@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  deployment = await authorisedPlan(officer, officer2, validPlan([demoId], { name: 'Back to draft' }), { live: true });
  const probes = await probeFixtures(deployment.cameras[0]!.id);

  const raised = await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', fresh(probes.match));
  const { alertId } = (await raised.json()) as { alertId: string };
  alert = (await (await operator.fetch(`/api/alerts/${alertId}`)).json()) as AlertView;
  const decided = (await (await post(operator, `/api/alerts/${alertId}/claim`)).json()) as AlertView;
  expect((await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', version: decided.version })).status).toBe(200);
  // Decided, so the same face raises a second alert: claimed by another operator.
  const again = (await (await operator.json(`/api/deployments/${deployment.id}/probes`, 'POST', fresh(probes.match))).json()) as { alertId: string };
  claimedByOperator2 = (await (await post(operator2, `/api/alerts/${again.alertId}/claim`)).json()) as AlertView;
  expect(claimedByOperator2.claimedBy?.name).toBe('Omar Operator');

  const connected = await connectSocket(server.baseUrl, operator.cookieHeader());
  expect(connected.error).toBeUndefined();
  socket = connected.socket;
  for (const event of ['alert:created', 'alert:updated', 'alert:claimed', 'alert:released', 'alert:decided'] as const)
    socket.on(event, (a) => pushed.push(`${event}:${a.id}`));
  expect(await socket.emitWithAck('deployment:join', { deploymentId: deployment.id })).toEqual({ ok: true });
}, 120_000);

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe('alerts follow their deployment’s visibility', () => {
  it('while the deployment is authorised or live, operators see its alerts, crops and matched reference images', async () => {
    expect((await operator.fetch(`/api/alerts/${alert.id}`)).status).toBe(200);
    expect((await operator.fetch(`/api/alerts/${alert.id}/crop`)).status).toBe(200);
    expect((await operator.fetch(`/api/reference-images/${alert.referenceImageId}`)).status).toBe(200);
    const list = (await (await operator.fetch(`/api/alerts?deploymentId=${deployment.id}`)).json()) as { alerts: AlertView[] };
    expect(list.alerts.map((a) => a.id)).toContain(alert.id);
  });

  it('once it is back in draft, operators get 403 on its alerts, crops, claims, decisions and matched reference images', async () => {
    expect((await post(officer, `/api/deployments/${deployment.id}/suspend`, { reason: 'Intelligence changed; replanning.' })).status).toBe(200);
    // Still visible while suspended: a live tile does not vanish when it is suspended.
    expect((await operator.fetch(`/api/alerts/${alert.id}`)).status).toBe(200);
    const edited = await officer.json(`/api/deployments/${deployment.id}`, 'PATCH', { name: 'Back to draft (replanned)' });
    expect(edited.status).toBe(200);
    expect(((await edited.json()) as { status: string }).status).toBe('draft');
    expect((await operator.fetch(`/api/deployments/${deployment.id}`)).status).toBe(403);

    const expectForbidden = async (response: Promise<Response>, what: string) => {
      const answer = await response;
      const body = (await answer.json()) as { error: string };
      expect(answer.status, what).toBe(403);
      expect(body.error, what).toBe('forbidden');
    };
    for (const id of [alert.id, claimedByOperator2.id]) {
      await expectForbidden(operator.fetch(`/api/alerts/${id}`), 'view');
      await expectForbidden(operator.fetch(`/api/alerts/${id}/crop`), 'crop');
      await expectForbidden(post(operator, `/api/alerts/${id}/claim`), 'claim');
      await expectForbidden(post(operator, `/api/alerts/${id}/claim`, { correction: true, reason: 'Trying to correct it anyway.' }), 'correction');
      await expectForbidden(post(operator, `/api/alerts/${id}/decision`, { decision: 'engage', version: 99 }), 'decision');
      await expectForbidden(post(operator, `/api/alerts/${id}/outcome`, { outcome: 'arrest', version: 99 }), 'outcome');
      await expectForbidden(post(operator, `/api/alerts/${id}/retain`, { reason: 'Keep it for the complaint file.' }), 'retain');
    }
    // Even the operator holding a claim there can neither decide nor release it.
    await expectForbidden(
      post(operator2, `/api/alerts/${claimedByOperator2.id}/decision`, { decision: 'engage', version: claimedByOperator2.version }),
      'holder decides',
    );
    await expectForbidden(post(operator2, `/api/alerts/${claimedByOperator2.id}/release`), 'holder releases');
    const list = (await (await operator.fetch(`/api/alerts?deploymentId=${deployment.id}`)).json()) as { total: number; alerts: AlertView[] };
    expect(list).toMatchObject({ total: 0, alerts: [] });
    const since = (await (await operator.fetch(`/api/alerts?since=${encodeURIComponent(new Date(0).toISOString())}`)).json()) as { alerts: AlertView[] };
    expect(since.alerts.filter((a) => a.deploymentId === deployment.id)).toEqual([]);
    // The reference image was matched only by alerts of this deployment.
    await expectForbidden(operator.fetch(`/api/reference-images/${alert.referenceImageId}`), 'reference image');
    // An alert that does not exist is still a 404.
    expect((await operator.fetch('/api/alerts/no-such-alert')).status).toBe(404);
  });

  it('senior officers, who plan, keep seeing them; admins curate reference images; auditors never see images', async () => {
    expect((await officer.fetch(`/api/alerts/${alert.id}`)).status).toBe(200);
    expect((await officer.fetch(`/api/alerts/${alert.id}/crop`)).status).toBe(200);
    expect((await officer.fetch(`/api/reference-images/${alert.referenceImageId}`)).status).toBe(200);
    expect((await admin.fetch(`/api/reference-images/${alert.referenceImageId}`)).status).toBe(200);
    expect((await auditor.fetch(`/api/reference-images/${alert.referenceImageId}`)).status).toBe(403);
    const list = (await (await officer.fetch(`/api/alerts?deploymentId=${deployment.id}`)).json()) as { alerts: AlertView[] };
    expect(list.alerts.map((a) => a.id)).toContain(alert.id);
  });

  it('an operator’s socket leaves the room of a deployment back in draft: its alert events stop reaching them', async () => {
    pushed.length = 0;
    const { socket: holder } = await connectSocket(server.baseUrl, operator2.cookieHeader());
    const told = new Promise<ClaimLost>((resolve) => holder.on('claim:lost', resolve));
    // A senior officer releases the claim: the event goes to the room, which no longer holds the operator.
    const released = await post(officer, `/api/alerts/${claimedByOperator2.id}/release`);
    expect(released.status).toBe(200);
    // The holder is told their claim went, but not whom or where: they may no longer see the deployment.
    expect(await told).toMatchObject({ alertId: claimedByOperator2.id, reason: 'released', name: null, camera: null });
    holder.close();
    const { socket: watcher, error } = await connectSocket(server.baseUrl, officer.cookieHeader());
    expect(error).toBeUndefined();
    expect(await watcher.emitWithAck('deployment:join', { deploymentId: deployment.id })).toEqual({ ok: true });
    // Another event the officer's socket does receive, so the operator's silence is not just timing.
    const retained = new Promise<string>((resolve) => watcher.on('alert:updated', (a) => resolve(a.id)));
    expect((await post(officer, `/api/alerts/${alert.id}/retain`, { reason: 'Keep it for the complaint file.' })).status).toBe(200);
    expect(await retained).toBe(alert.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushed).toEqual([]);
    // And it cannot join again.
    expect(await socket.emitWithAck('deployment:join', { deploymentId: deployment.id })).toMatchObject({ ok: false });
    watcher.close();
  });
});
