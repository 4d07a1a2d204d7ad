import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import type { DeploymentRecord } from '@/lib/records/record';
import { sqliteFilePath } from '@/lib/db/url';
import { authorisePlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';
import { connectSocket, type TestSocket } from '../support/sockets';

let server: TestServer;
let officer: Session, officer2: Session, operator: Session, auditor: Session, admin: Session;
let live: DeploymentJson;
let cameraId: string;
/** The HTTP sender's camera: the socket holds the first one's lease (lib/live/leases.ts), so faces sent over HTTP come from another camera. */
let httpCameraId: string;
let probes: ProbeFixtures;
let socket: TestSocket;
/** Names of the watchlist people the alerts were about: the record must never show them. */
let watchlistNames: string[] = [];
const received: { event: string; alert: AlertView }[] = [];

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

const count = async (sql: string, params: unknown[] = []) => Number((await rawQuery<{ n: number | string }>(server.databaseUrl, sql, params))[0]!.n);

function waitForEvent(event: string, predicate: (a: AlertView) => boolean, timeoutMs = 5000): Promise<AlertView> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const hit = received.find((r) => r.event === event && predicate(r.alert));
      if (hit) {
        clearTimeout(timer);
        resolve(hit.alert);
      } else setTimeout(check, 20);
    };
    check();
  });
}

beforeAll(async () => {
  server = await startServer();
  officer = await signedIn('officer@sightline.test');
  officer2 = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  admin = await signedIn('admin@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demo = watchlists.find((w) => w.name === 'Demo — central London')!;
  const { id } = await createPlan(officer, validPlan([demo.id], { name: 'Live test' }));
  expect((await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: 'HTTP camera' })).status).toBe(201);
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  live = await getDeployment(officer, id);
  expect(live.status).toBe('live');
  cameraId = live.cameras[0]!.id;
  httpCameraId = live.cameras[1]!.id;
  probes = await probeFixtures(cameraId);

  const connected = await connectSocket(server.baseUrl, operator.cookieHeader());
  expect(connected.error).toBeUndefined();
  socket = connected.socket;
  for (const event of ['alert:created', 'alert:updated'] as const) socket.on(event, (alert) => received.push({ event, alert }));
  expect(await socket.emitWithAck('deployment:join', { deploymentId: live.id })).toEqual({ ok: true });
}, 120_000);

afterAll(async () => {
  socket?.close();
  await server?.stop();
});

describe('probes and matching', () => {
  it('a face on the watchlist raises one alert, stored first and then pushed to the room', async () => {
    const answer = await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...fresh(probes.match) });
    expect(answer).toEqual({ matched: true, alertId: expect.any(String) });
    const alertId = (answer as { alertId: string }).alertId;

    const pushed = await waitForEvent('alert:created', (a) => a.id === alertId);
    expect(pushed).toMatchObject({
      deploymentId: live.id,
      reference: 'DEMO-WAR-0001',
      category: 'wanted_by_court',
      sightings: 1,
      status: 'new',
      claimedBy: null,
    });
    expect(pushed.distance).toBeLessThanOrEqual(0.6);
    expect(pushed.camera.id).toBe(cameraId);
    expect(await count('SELECT COUNT(*) AS n FROM "Alert" WHERE id = $1 AND crop IS NOT NULL', [alertId])).toBe(1);

    const audit = (await (await auditor.fetch('/api/audit?action=alert.raised')).json()) as { events: { subjectId: string }[] };
    expect(audit.events.map((e) => e.subjectId)).toContain(alertId);
  });

  it('the same person on the same camera within 30 s updates the open alert instead of raising another', async () => {
    const before = await count('SELECT COUNT(*) AS n FROM "Alert"');
    const first = (await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...fresh(probes.match) })) as { alertId: string };
    const updated = await waitForEvent('alert:updated', (a) => a.id === first.alertId && a.sightings >= 2);
    expect(updated.sightings).toBeGreaterThanOrEqual(2);
    expect(await count('SELECT COUNT(*) AS n FROM "Alert"')).toBe(before);
  });

  it('a face that matches nothing answers { matched: false } and leaves no row and no file', async () => {
    const alertsBefore = await count('SELECT COUNT(*) AS n FROM "Alert"');
    const filesBefore = server.provider === 'sqlite' ? readdirSync(path.dirname(sqliteFilePath(server.databaseUrl))).sort() : [];
    for (let i = 0; i < 5; i++) {
      expect(await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...fresh(probes.stranger) })).toEqual({ matched: false });
    }
    const http = await operator.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.stranger, { cameraId: httpCameraId }));
    expect(http.status).toBe(200);
    expect(await http.json()).toEqual({ matched: false });

    expect(await count('SELECT COUNT(*) AS n FROM "Alert"')).toBe(alertsBefore);
    if (server.provider === 'sqlite') {
      const dir = path.dirname(sqliteFilePath(server.databaseUrl));
      expect(readdirSync(dir).sort()).toEqual(filesBefore);
      // Neither the database nor its write-ahead log holds the stranger's crop bytes.
      const marker = Buffer.from('STRANGER-CROP-MARKER-5f3a9c');
      const stored = readdirSync(dir).map((file) => readFileSync(path.join(dir, file)));
      for (const bytes of stored) expect(bytes.includes(marker)).toBe(false);
      // Control: the same search does find the crop of the face that matched.
      const matchedCrop = Buffer.from(probes.match.crop!, 'base64').subarray(3000, 3032);
      expect(stored.some((bytes) => bytes.includes(matchedCrop))).toBe(true);
    }
    expect(server.output()).not.toContain('STRANGER');
  });

  it('asks for the crop only of a candidate, and counts the face once', async () => {
    const { crop: _matchCrop, ...matchWithoutCrop } = fresh(probes.match);
    const { crop: _strangerCrop, ...strangerWithoutCrop } = fresh(probes.stranger);
    // A passer-by who is not a candidate: the crop never leaves the tile.
    expect(await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...strangerWithoutCrop })).toEqual({ matched: false });
    // A candidate: the server cannot verify it without its crop, and asks for it with a ticket.
    const asked = await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop });
    expect(asked).toEqual({ matched: false, cropNeeded: true, ticket: expect.stringMatching(/^[\w-]{22}$/) });
    const ticket = (asked as { ticket: string }).ticket;
    // A follow-up must carry the crop; the ticket survives that refusal.
    expect(await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop, ticket })).toMatchObject({ error: 'invalid_input' });
    // The ticket is bound to the face track it was given for.
    expect(
      await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop, trackId: 'another-face', crop: probes.match.crop, ticket }),
    ).toMatchObject({
      error: 'crop_not_requested',
    });
    // …and to the face: a follow-up describing someone who is not a candidate is not the face asked for.
    expect(
      await socket.emitWithAck('probe:submit', {
        deploymentId: live.id,
        ...matchWithoutCrop,
        descriptor: strangerWithoutCrop.descriptor,
        crop: probes.match.crop,
        ticket,
      }),
    ).toMatchObject({
      error: 'crop_not_requested',
    });
    const followUp = await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop, crop: probes.match.crop, ticket });
    expect(followUp).toEqual({ matched: true, alertId: expect.any(String) });
    // The alert names who sent the face: the server cannot tell a camera's crop from any other.
    const raised = (await (await auditor.fetch('/api/audit?action=alert.raised')).json()) as { events: { subjectId: string; actorEmail: string | null }[] };
    expect(raised.events.find((e) => e.subjectId === (followUp as { alertId: string }).alertId)?.actorEmail).toBe('operator@sightline.test');
    // Used once: the same follow-up again is refused, as is a ticket the server never gave.
    expect(await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop, crop: probes.match.crop, ticket })).toMatchObject({
      error: 'crop_not_requested',
    });
    expect(
      await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...matchWithoutCrop, crop: probes.match.crop, ticket: 'A'.repeat(22) }),
    ).toMatchObject({
      error: 'crop_not_requested',
    });
  });

  it('refuses probes with a code: wrong camera, bad descriptor, oversized crop, not live, wrong role', async () => {
    const post = (session: Session, deploymentId: string, body: unknown) => session.json(`/api/deployments/${deploymentId}/probes`, 'POST', body);
    const expectRefusal = async (response: Response, status: number, code: string) => {
      const body = (await response.json()) as { error: string; message: string };
      expect(response.status, body.message).toBe(status);
      expect(body.error).toBe(code);
    };
    const other = await createPlan(officer, validPlan([], { name: 'A draft' }));
    const otherCamera = ((await (await officer.fetch(`/api/deployments/${other.id}`)).json()) as DeploymentJson).cameras[0]!.id;

    await expectRefusal(await post(operator, live.id, fresh(probes.match, { cameraId: otherCamera })), 422, 'unknown_camera');
    await expectRefusal(await post(operator, live.id, fresh(probes.match, { descriptor: probes.match.descriptor.slice(1) })), 422, 'invalid_input');
    await expectRefusal(await post(operator, live.id, fresh(probes.match, { crop: 'A'.repeat(90_000) })), 422, 'invalid_input');
    await expectRefusal(await post(operator, live.id, { ...fresh(probes.match), extra: 1 }), 422, 'invalid_input');
    // A candidate's crop the verifier cannot use is the sender's problem, named: a damaged JPEG,
    // and a tiny one whose header declares a picture far too big to decode.
    const damaged = await post(operator, live.id, fresh(probes.match, { cameraId: httpCameraId, crop: `/9j/${'A'.repeat(400)}` }));
    expect(damaged.status).toBe(422);
    expect(await damaged.json()).toMatchObject({ error: 'unreadable_crop', message: 'crop: The image file is incomplete or damaged.' });
    const sof = [0xff, 0xc0, 0x00, 0x11, 0x08, 0x13, 0x88, 0x13, 0x88, 0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01];
    const bomb = Buffer.from([0xff, 0xd8, ...sof, 0xff, 0xd9]).toString('base64');
    const huge = await post(operator, live.id, fresh(probes.match, { cameraId: httpCameraId, crop: bomb }));
    expect(huge.status).toBe(422);
    expect(await huge.json()).toMatchObject({
      error: 'unreadable_crop',
      message: 'crop: The image is 5000 × 5000 pixels; each side may be at most 1024 here.',
    });
    await expectRefusal(await post(operator, other.id, fresh(probes.match, { cameraId: otherCamera })), 409, 'deployment_not_live');
    await expectRefusal(await post(operator, 'nope', fresh(probes.match)), 404, 'not_found');
    for (const session of [auditor, admin]) await expectRefusal(await post(session, live.id, fresh(probes.match)), 403, 'forbidden');
    expect((await post(new Session(server.baseUrl), live.id, fresh(probes.match))).status).toBe(401);

    const viaSocket = await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...fresh(probes.match, { descriptor: [1, 2, 3] }) });
    expect(viaSocket).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('128') });
    expect(await socket.emitWithAck('deployment:join', { deploymentId: other.id })).toMatchObject({ ok: false });
  });

  it('shows camera stream addresses to those who plan or watch, not to auditors or in the audit trail', async () => {
    const asAuditor = (await (await auditor.fetch(`/api/deployments/${live.id}`)).json()) as { cameras: { source: { kind: string; url: string } }[] };
    expect(asAuditor.cameras[0]!.source).toEqual({ kind: 'file', url: '' });
    const asOperator = (await (await operator.fetch(`/api/deployments/${live.id}`)).json()) as { cameras: { source: { url: string } }[] };
    expect(asOperator.cameras[0]!.source.url).toMatch(/^\/fixtures\//);
    const trail = await (await auditor.fetch('/api/audit?action=camera.added')).text();
    expect(trail).not.toContain('/fixtures/');
  });

  it('triage for the record: the alert of the first camera engaged with an arrest, that of the second decided false', async () => {
    const http = await operator.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.match, { cameraId: httpCameraId }));
    expect(http.status).toBe(200);
    expect(await http.json()).toEqual({ matched: true, alertId: expect.any(String) });
    const { alerts } = (await (await operator.fetch(`/api/alerts?deploymentId=${live.id}`)).json()) as { alerts: AlertView[] };
    expect(alerts.map((a) => a.camera.id).sort()).toEqual([cameraId, httpCameraId].sort());
    const act = async (path: string, body: object = {}) => {
      const response = await operator.json(path, 'POST', body);
      expect(response.status, path).toBe(200);
      return (await response.json()) as AlertView;
    };
    watchlistNames = [...new Set(alerts.map((a) => a.name))];
    const first = alerts.find((a) => a.camera.id === cameraId)!;
    const engaged = await act(`/api/alerts/${first.id}/decision`, { decision: 'engage', version: (await act(`/api/alerts/${first.id}/claim`)).version });
    await act(`/api/alerts/${first.id}/outcome`, { outcome: 'arrest', version: engaged.version });
    const second = alerts.find((a) => a.camera.id === httpCameraId)!;
    await act(`/api/alerts/${second.id}/decision`, { decision: 'false_alert', version: (await act(`/api/alerts/${second.id}/claim`)).version });
  });

  it('stops accepting faces once the deployment ends', async () => {
    const ended = await officer.json(`/api/deployments/${live.id}/end`, 'POST', { reason: 'Operation complete' });
    expect(ended.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100)); // the pipeline re-reads the deployment each second
    const answer = await socket.emitWithAck('probe:submit', { deploymentId: live.id, ...fresh(probes.match) });
    expect(answer).toMatchObject({ error: 'deployment_not_live' });
  });

  it('the record of the ended deployment counts exactly what happened: JSON and CSV, auditors only, no image, every export audited', async () => {
    const response = await auditor.fetch(`/api/deployments/${live.id}/record`);
    expect(response.status).toBe(200);
    const text = await response.text();
    const record = JSON.parse(text) as DeploymentRecord;
    // 9 faces on the first camera and 2 on the HTTP camera (a stranger, then a match): see the last test.
    expect(record.faces.total).toBe(11);
    expect(record.faces.perCamera.map((c) => [c.cameraId, c.faces]).sort()).toEqual(
      [
        [cameraId, 9],
        [httpCameraId, 2],
      ].sort(),
    );
    expect(record.alerts).toMatchObject({ raised: 2, decided: 2, undecided: 0, falseAlerts: 1, engagements: 1, outcomePending: 0 });
    expect(record.alerts.outcomes).toEqual({ arrest: 1, safeguarding: 0, other_action: 0, not_subject: 0, not_engaged: 0 });
    // 1 false alert in 11 faces, with its exact (Clopper–Pearson) 95 % interval: Beta(0.025; 1, 11) and Beta(0.975; 2, 10).
    expect(record.falseAlertRate.perFace).toBeCloseTo(1 / 11, 10);
    expect(record.falseAlertRate.lower).toBeCloseTo(0.002299, 5);
    expect(record.falseAlertRate.upper).toBeCloseTo(0.41278, 4);
    // The go-live was accepted with a forecast (over the target, with a reason): 1 in 11 is far above its bound.
    expect(record.accuracy.goLives).toHaveLength(1);
    const [goLive] = record.accuracy.goLives;
    expect(goLive!.forecast!.upper).toBeGreaterThan(0);
    expect(goLive!.forecast!.upper).toBeLessThan(0.002299);
    expect(goLive).toMatchObject({ candidateThreshold: 0.5, verifyThreshold: 0.45 }); // validPlan's thresholds
    expect(goLive!.falseAlertRate).toMatchObject({ faces: 11, falseAlerts: 1, comparison: 'clearly_above' });
    expect(record.falseAlertRate.comparison).toBe('clearly_above');
    expect(record.responseTimes.toClaim?.count).toBe(2);
    expect(record.responseTimes.toDecision?.count).toBe(2);
    expect(record.livePeriods).toEqual([{ start: expect.any(String), end: expect.any(String), endedBy: 'ended' }]);
    expect(record.watchlist.snapshots).toHaveLength(1);
    expect(record.watchlist.snapshots[0]!.entries).toBeGreaterThan(0);
    expect(Object.values(record.watchlist.snapshots[0]!.byCategory ?? {}).reduce((a, b) => a + b, 0)).toBe(record.watchlist.snapshots[0]!.entries);
    expect(record.watchlist.purgedAt).not.toBeNull();
    // Both cameras were analysed in the minute(s) they sent faces.
    for (const camera of record.faces.perCamera) expect(camera.analysedMinutes).toBeGreaterThanOrEqual(1);
    const nameOf = async (session: Session) => ((await (await session.fetch('/api/me')).json()) as { name: string }).name;
    expect(record.people).toMatchObject({ plannedBy: await nameOf(officer), authorisedBy: await nameOf(officer2) });
    expect(goLive!.authorisedBy).toBe(await nameOf(officer2));
    // The running total the dashboard reads moved with the minutes.
    expect(await count('SELECT "facesProcessed" AS n FROM "Deployment" WHERE id = $1', [live.id])).toBe(11);
    // Nothing about a watchlist person: no reference, name or image.
    expect(text).not.toMatch(/DEMO-WAR|"crop|base64|data:image/i);
    for (const name of watchlistNames) expect(text).not.toContain(name);
    // The live minutes are the clock minutes the deployment was live in; each camera was analysed in some of them.
    expect(record.liveMinutes).toBeGreaterThanOrEqual(1);
    for (const camera of record.faces.perCamera) expect(camera.coverage).toBeGreaterThan(0);
    const csv = await auditor.fetch(`/api/deployments/${live.id}/record?format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('attachment');
    const lines = (await csv.text()).split('\r\n');
    for (const line of ['faces,total,11', 'alerts,raised,2', 'alerts,false_alerts,1', 'alerts,engagements,1', 'outcomes,arrest,1', 'alerts,never_decided,0']) {
      expect(lines).toContain(line);
    }
    expect((await officer.fetch(`/api/deployments/${live.id}/record/print`, { method: 'POST' })).status).toBe(204);
    for (const session of [operator, admin]) expect((await session.fetch(`/api/deployments/${live.id}/record`)).status).toBe(403);
    expect((await auditor.fetch(`/api/deployments/${live.id}/record?format=xml`)).status).toBe(422);
    expect((await auditor.fetch('/api/deployments/no-such-deployment/record')).status).toBe(404);
    const draft = await createPlan(officer, validPlan([], { name: 'Never live' }));
    const neverLive = await auditor.fetch(`/api/deployments/${draft.id}/record`);
    expect(neverLive.status).toBe(409);
    expect(await neverLive.json()).toMatchObject({ error: 'never_live' });
    const audit = (await (await auditor.fetch('/api/audit?action=record.exported')).json()) as {
      events: { subjectId: string; actorEmail: string | null; details: { format: string } }[];
    };
    const exports = audit.events.filter((e) => e.subjectId === live.id).map((e) => `${e.actorEmail} ${e.details.format}`);
    expect(exports.sort()).toEqual(['auditor@sightline.test csv', 'auditor@sightline.test json', 'officer@sightline.test print']);
  });

  it('keeps only per-camera per-minute counts of the faces processed', async () => {
    await server.shutdown(); // flushes the counts of the current minute
    const rows = await rawQuery<{ cameraId: string; count: number | string }>(server.databaseUrl, 'SELECT "cameraId", count FROM "FaceCount"');
    expect(rows.every((r) => r.cameraId === cameraId || r.cameraId === httpCameraId)).toBe(true);
    const counted = (id: string) => rows.filter((r) => r.cameraId === id).reduce((sum, r) => sum + Number(r.count), 0);
    // 3 matching + 7 non-matching faces were processed while live on the first camera, and a stranger
    // and a match sent over HTTP from the second: a candidate's follow-up with its crop is the same face, and refused
    // probes are not counted.
    expect([counted(cameraId), counted(httpCameraId)]).toEqual([9, 2]);
  });
});
