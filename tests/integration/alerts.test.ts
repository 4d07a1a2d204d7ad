import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import { authorisePlan, CAMERA_INSIDE, createPlan, getDeployment, startPlan, submitPlan, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { fresh, probeFixtures, type ProbeFixtures } from '../support/probes';
import { startServer, type TestServer } from '../support/server';
import { createAccount, DEMO_PASSWORD, Session } from '../support/session';
import { rawQuery } from '../support/raw-db';
import { connectSocket } from '../support/sockets';
import type { Overview } from '@/lib/overview/scope';
import type { AlertContext } from '@/lib/alerts/data';
import type { ClaimLost } from '@/lib/realtime/events';
import type { AlertTally } from '@/lib/records/figures';

let server: TestServer;
let officer: Session, officer2: Session, operator: Session, operator2: Session, auditor: Session, admin: Session;
let live: DeploymentJson;
let probes: ProbeFixtures;
/** The alerts engaged and closed by one group call: the figures count their engagement once. */
const groupDecided: string[] = [];

async function signedIn(email: string, password = DEMO_PASSWORD) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, password)).ok).toBe(true);
  return session;
}

/** Raises an alert on camera `n` (each test its own camera, so sightings never coalesce across tests). */
async function probeAlert(n: number): Promise<string> {
  const cameraId = live.cameras[n]!.id;
  const response = await operator.json(`/api/deployments/${live.id}/probes`, 'POST', fresh(probes.match, { cameraId }));
  const body = (await response.json()) as { matched: boolean; alertId: string };
  expect(body.matched).toBe(true);
  return body.alertId;
}

const post = (session: Session, path: string, body?: unknown) =>
  body === undefined ? session.fetch(path, { method: 'POST' }) : session.json(path, 'POST', body);

async function view(session: Session, alertId: string): Promise<AlertView> {
  const response = await session.fetch(`/api/alerts/${alertId}`);
  expect(response.status).toBe(200);
  return (await response.json()) as AlertView;
}

beforeAll(async () => {
  server = await startServer();
  officer = await signedIn('officer@sightline.test');
  officer2 = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  operator2 = await signedIn('operator2@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  admin = await signedIn('admin@sightline.test');
  const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  const demoId = watchlists.find((w) => w.name === 'Demo — central London')!.id;
  const { id } = await createPlan(officer, validPlan([demoId], { name: 'Triage test' }));
  for (let i = 2; i <= 6; i++) {
    const added = await officer.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, name: `Camera ${i}` });
    expect(added.status).toBe(201);
  }
  await submitPlan(officer, id);
  await authorisePlan(officer2, id);
  await startPlan(officer, id);
  live = await getDeployment(officer, id);
  expect(live.cameras).toHaveLength(6);
  probes = await probeFixtures(live.cameras[0]!.id);
}, 120_000);

afterAll(async () => {
  const { disconnectDb } = await import('@/lib/db/client');
  await disconnectDb();
  await server?.stop();
});

describe('claiming', () => {
  it('ten concurrent claims by ten operators: exactly one wins, the others get 409 naming the holder', async () => {
    const alertId = await probeAlert(0);
    const claimants: Session[] = [];
    for (let i = 0; i < 10; i++) {
      const email = `claimant${i}@sightline.test`;
      // Each new account first replaces the admin's temporary password with its own.
      const { session } = await createAccount(admin, { email, name: `Claimant ${i}`, role: 'operator' });
      claimants.push(session);
    }
    const responses = await Promise.all(claimants.map((s) => post(s, `/api/alerts/${alertId}/claim`)));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const winner = (await responses.find((r) => r.status === 200)!.json()) as AlertView;
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect(((await loser.json()) as { message: string }).message).toContain(`${winner.claimedBy!.name} is already handling this alert`);
    }
  });

  it('a claim in one session shows as held in another, live over the socket', async () => {
    const alertId = await probeAlert(1);
    const { socket, error } = await connectSocket(server.baseUrl, operator2.cookieHeader());
    expect(error).toBeUndefined();
    expect(await socket.emitWithAck('deployment:join', { deploymentId: live.id })).toEqual({ ok: true });
    const seen = new Promise<AlertView>((resolve) => socket.on('alert:claimed', (alert) => alert.id === alertId && resolve(alert)));
    expect((await post(operator, `/api/alerts/${alertId}/claim`)).status).toBe(200);
    expect((await seen).claimedBy?.name).toBe('Olivia Operator');
    socket.close();

    const second = await post(operator2, `/api/alerts/${alertId}/claim`);
    expect(second.status).toBe(409);
    expect((await second.json()).message).toContain('Olivia Operator');
    expect((await post(operator2, `/api/alerts/${alertId}/release`)).status).toBe(403);
    expect((await post(officer, `/api/alerts/${alertId}/release`)).status).toBe(200);
    expect((await post(operator2, `/api/alerts/${alertId}/claim`)).status).toBe(200);
    expect((await post(operator2, `/api/alerts/${alertId}/release`)).status).toBe(200);
  });
});

describe('deciding', () => {
  let alertId = '';

  beforeAll(async () => {
    alertId = await probeAlert(2);
  });

  it('refuses decisions without a claim, by the wrong role, and with bad input', async () => {
    const { version } = await view(operator, alertId);
    const noClaim = await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'engage', version });
    expect(noClaim.status).toBe(409);
    expect((await noClaim.json()).error).toBe('not_claimed');
    for (const session of [officer, auditor, admin]) {
      expect((await post(session, `/api/alerts/${alertId}/claim`)).status).toBe(403);
      expect((await post(session, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', version })).status).toBe(403);
    }
    expect((await auditor.fetch(`/api/alerts/${alertId}`)).status).toBe(403);
    expect((await auditor.fetch(`/api/alerts/${alertId}/crop`)).status).toBe(403);
    const claimed = (await (await post(operator, `/api/alerts/${alertId}/claim`)).json()) as AlertView;
    const bad = await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'maybe', version: claimed.version });
    expect(bad.status).toBe(422);
    expect((await bad.json()).message).toMatch(/decision must be one of/);
    const early = await post(operator, `/api/alerts/${alertId}/outcome`, { outcome: 'arrest', version: claimed.version });
    expect(early.status).toBe(409);
    const byOther = await post(operator2, `/api/alerts/${alertId}/decision`, { decision: 'engage', version: claimed.version });
    expect(byOther.status).toBe(409);
    expect((await byOther.json()).message).toContain('Olivia Operator');
  });

  it('requires the version the person looked at on every decision and outcome: 422 without it, 409 when stale', async () => {
    const { version } = await view(operator, alertId);
    for (const [path, body] of [
      ['decision', { decision: 'engage' }],
      ['outcome', { outcome: 'arrest' }],
    ] as const) {
      const missing = await post(operator, `/api/alerts/${alertId}/${path}`, body);
      expect(missing.status).toBe(422);
      expect(await missing.json()).toMatchObject({ error: 'invalid_input', message: expect.stringContaining('version is required') });
    }
    const stale = await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'engage', version: version - 1 });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error).toBe('alert_changed');
    // Nothing was recorded by any of them.
    expect((await view(operator, alertId)).history).toEqual([]);
  });

  it('records engage, then the outcome; a correction is a new decision, never an edit, and needs a reason', async () => {
    const engaged = await post(operator, `/api/alerts/${alertId}/decision`, {
      decision: 'engage',
      note: 'Strong likeness',
      version: (await view(operator, alertId)).version,
    });
    expect(engaged.status).toBe(200);
    const engagedView = (await engaged.json()) as AlertView;
    expect(engagedView).toMatchObject({ status: 'engaged', decision: 'engage', claimedBy: { name: 'Olivia Operator' } });

    const closed = await post(operator, `/api/alerts/${alertId}/outcome`, {
      outcome: 'not_subject',
      note: 'Spoke to him; not the person',
      version: engagedView.version,
    });
    expect(closed.status).toBe(200);
    expect(await closed.json()).toMatchObject({ status: 'closed', outcome: 'not_subject', claimedBy: null });

    // A plain claim of a decided alert is refused: it is how a stale list would override a decision.
    const plain = await post(operator2, `/api/alerts/${alertId}/claim`);
    expect(plain.status).toBe(409);
    expect((await plain.json()).error).toBe('alert_decided');
    for (const body of [{ correction: true }, { correction: true, reason: '   ' }, { reason: 'A reason without saying it is a correction' }]) {
      const refused = await post(operator2, `/api/alerts/${alertId}/claim`, body);
      expect(refused.status).toBe(422);
      expect((await refused.json()).error).toBe('invalid_input');
    }
    expect((await view(operator2, alertId)).claimedBy).toBeNull();

    const reason = 'CCTV review shows the engaged man was not the subject; the alert was false.';
    const claimed = await post(operator2, `/api/alerts/${alertId}/claim`, { correction: true, reason });
    expect(claimed.status).toBe(200);
    const correcting = (await claimed.json()) as AlertView;
    expect(correcting).toMatchObject({ claimedBy: { name: 'Omar Operator' }, claimCorrection: reason, status: 'closed' });
    const corrected = (await (
      await post(operator2, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', note: 'Correction', version: correcting.version })
    ).json()) as AlertView;
    expect(corrected).toMatchObject({ status: 'false_alert', decision: 'false_alert', claimedBy: null, claimCorrection: null });
    expect(corrected.history.map((h) => `${h.kind}:${h.value}:${h.by.name}`)).toEqual([
      'decision:engage:Olivia Operator',
      'outcome:not_subject:Olivia Operator',
      'decision:false_alert:Omar Operator',
    ]);
    const audit = (await (await admin.fetch(`/api/audit?action=alert.decided&pageSize=50`)).json()) as {
      events: { subjectId: string; details: Record<string, unknown> }[];
    };
    const decided = audit.events.filter((e) => e.subjectId === alertId);
    expect(decided).toHaveLength(2);
    expect(decided.map((e) => e.details)).toContainEqual(expect.objectContaining({ decision: 'false_alert', correction: true, reason, from: 'closed' }));
    const claims = (await (await admin.fetch(`/api/audit?action=alert.claimed&pageSize=100`)).json()) as {
      events: { subjectId: string; actorEmail: string | null; details: Record<string, unknown> }[];
    };
    expect(claims.events.filter((e) => e.subjectId === alertId && e.details.correction === true)).toEqual([
      expect.objectContaining({ details: { correction: true, reason, status: 'closed' } }),
    ]);
    // Once decided, the same person on the same camera is a new alert: the decided one keeps its evidence.
    const again = await probeAlert(2);
    expect(again).not.toBe(alertId);
    expect(((await (await operator.fetch(`/api/alerts/${alertId}`)).json()) as AlertView).sightings).toBe(1);
  });

  it('two operators deciding at once cannot both win', async () => {
    const id = await probeAlert(3);
    const claimed = (await (await post(operator, `/api/alerts/${id}/claim`)).json()) as AlertView;
    // The holder double-submits and a second operator tries at the same moment: the database
    // accepts exactly one decision.
    const responses = await Promise.all([
      post(operator, `/api/alerts/${id}/decision`, { decision: 'engage', version: claimed.version }),
      post(operator, `/api/alerts/${id}/decision`, { decision: 'false_alert', version: claimed.version }),
      post(operator2, `/api/alerts/${id}/decision`, { decision: 'false_alert', version: claimed.version }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    const after = (await (await operator.fetch(`/api/alerts/${id}`)).json()) as AlertView;
    expect(after.history.filter((h) => h.kind === 'decision')).toHaveLength(1);
  });
});

describe('a decided alert stays decided', () => {
  it('a burst of claims and decisions from a list that has not caught up never overrides a decision', async () => {
    /** A second operator acting on a row that still shows the alert undecided: claim (again while held), then decide. */
    async function staleOperator(id: string): Promise<{ status: number; error?: string }> {
      for (let attempt = 0; attempt < 100; attempt++) {
        const claim = await post(operator2, `/api/alerts/${id}/claim`);
        const body = (await claim.json()) as AlertView & { error?: string };
        if (claim.status === 200) {
          const decided = await post(operator2, `/api/alerts/${id}/decision`, { decision: 'engage', version: body.version });
          return { status: decided.status, error: ((await decided.json()) as { error?: string }).error };
        }
        if (body.error !== 'conflict') return { status: claim.status, error: body.error };
      }
      return { status: 0, error: 'still held' };
    }
    for (let i = 0; i < 8; i++) {
      // Each alert is decided below, so the same face on the same camera raises a new one.
      const id = await probeAlert(3);
      const claimed = (await (await post(operator, `/api/alerts/${id}/claim`)).json()) as AlertView;
      const [first, stale] = await Promise.all([
        post(operator, `/api/alerts/${id}/decision`, { decision: 'false_alert', version: claimed.version }),
        staleOperator(id),
      ]);
      expect(first.status).toBe(200);
      expect(stale).toEqual({ status: 409, error: 'alert_decided' });
      const after = await view(operator, id);
      expect(after.history.filter((h) => h.kind === 'decision').map((h) => `${h.value}:${h.by.name}`)).toEqual(['false_alert:Olivia Operator']);
      expect(after.claimedBy).toBeNull();
    }
  });

  it('an engagement may be claimed by anyone for its outcome, but its decision changes only by a correction', async () => {
    const id = await probeAlert(3);
    const claimed = (await (await post(operator, `/api/alerts/${id}/claim`)).json()) as AlertView;
    expect((await post(operator, `/api/alerts/${id}/decision`, { decision: 'engage', version: claimed.version })).status).toBe(200);
    expect((await post(officer, `/api/alerts/${id}/release`)).status).toBe(200);
    const forOutcome = await post(operator2, `/api/alerts/${id}/claim`);
    expect(forOutcome.status).toBe(200);
    const held = (await forOutcome.json()) as AlertView;
    expect(held).toMatchObject({ status: 'engaged', claimCorrection: null, claimedBy: { name: 'Omar Operator' } });
    const redecide = await post(operator2, `/api/alerts/${id}/decision`, { decision: 'false_alert', version: held.version });
    expect(redecide.status).toBe(409);
    expect((await redecide.json()).error).toBe('alert_decided');
    // The holder may turn the claim into a correction, with a reason.
    const correcting = (await (
      await post(operator2, `/api/alerts/${id}/claim`, { correction: true, reason: 'The engagement was recorded on the wrong alert.' })
    ).json()) as AlertView;
    expect(correcting.claimCorrection).toBe('The engagement was recorded on the wrong alert.');
    const corrected = await post(operator2, `/api/alerts/${id}/decision`, { decision: 'false_alert', version: correcting.version });
    expect(corrected.status).toBe(200);
    expect((await view(operator, id)).history.map((h) => `${h.value}:${h.by.name}`)).toEqual(['engage:Olivia Operator', 'false_alert:Omar Operator']);
    // And a new alert cannot be claimed "as a correction": there is nothing to correct.
    const fresh = await probeAlert(3);
    const nothing = await post(operator, `/api/alerts/${fresh}/claim`, { correction: true, reason: 'Nothing has been decided here yet.' });
    expect(nothing.status).toBe(409);
    expect((await nothing.json()).error).toBe('not_decided');
    const plain = (await (await post(operator, `/api/alerts/${fresh}/claim`)).json()) as AlertView;
    expect((await post(operator, `/api/alerts/${fresh}/decision`, { decision: 'false_alert', version: plain.version })).status).toBe(200);
  });
});

describe('reference images and crops for triage', () => {
  it('lets a triaging operator see the matched reference image (audited) and the crop, not others', async () => {
    const alert = (await (await operator.fetch(`/api/alerts/${await probeAlert(0)}`)).json()) as AlertView;
    const reference = await operator.fetch(`/api/reference-images/${alert.referenceImageId}`);
    expect(reference.status).toBe(200);
    expect(reference.headers.get('content-type')).toBe('image/jpeg');
    const crop = await operator.fetch(alert.cropUrl!);
    expect(crop.status).toBe(200);
    const views = (await (await auditor.fetch('/api/audit?action=reference_image.viewed&actor=operator@sightline.test')).json()) as { events: unknown[] };
    expect(views.events.length).toBeGreaterThan(0);

    const watchlists = (await (await admin.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
    const demoId = watchlists.watchlists.find((w) => w.name === 'Demo — central London')!.id;
    const entries = (await (await admin.fetch(`/api/watchlists/${demoId}/entries?category=risk_of_harm`)).json()) as {
      entries: { images: { id: string }[] }[];
    };
    const unmatched = entries.entries[0]!.images[0]!.id;
    expect((await operator.fetch(`/api/reference-images/${unmatched}`)).status).toBe(403);
  });
});

describe('resync after a dropped connection', () => {
  it('returns everything changed since the last event seen, and nothing older', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const id = await probeAlert(4);
    expect((await post(operator2, `/api/alerts/${id}/claim`)).status).toBe(200);
    const since = (await (await operator.fetch(`/api/alerts?since=${encodeURIComponent(before)}`)).json()) as { alerts: AlertView[]; serverTime: string };
    expect(since.alerts.map((a) => a.id)).toEqual([id]); // raised and claimed since
    expect(since.alerts[0]!.claimedBy?.name).toBe('Omar Operator');
    const later = (await (await operator.fetch(`/api/alerts?since=${encodeURIComponent(since.serverTime)}`)).json()) as { alerts: AlertView[] };
    expect(later.alerts).toEqual([]);
    expect((await operator.fetch('/api/alerts?since=yesterday')).status).toBe(422);
  });
});

describe('one decision for a group of sightings (POST /api/alerts/group/decision and /outcome)', () => {
  const member = (a: AlertView) => ({ id: a.id, version: a.version });
  const unhandled = async () =>
    ((await (await operator.fetch(`/api/alerts?deploymentId=${live.id}&state=unhandled`)).json()) as { alerts: AlertView[] }).alerts;

  it('checks role, claim, version and state of every alert, refuses all with a 409 naming the one that blocked, then records each', async () => {
    await probeAlert(0);
    await probeAlert(2);
    // Every alert of this person awaiting a decision and held by nobody (Omar holds camera 5's, from the resync test).
    const free = (await unhandled()).filter((a) => a.claimedBy === null);
    expect(free.length).toBeGreaterThanOrEqual(2);
    const [first, ...rest] = free;
    for (const a of rest) expect((await post(operator, `/api/alerts/${a.id}/claim`)).status).toBe(200);
    const fetched = async () => Promise.all(free.map((a) => view(operator, a.id)));

    // One alert not claimed: nothing is recorded, and the refusal names it by camera and time.
    let group = (await fetched()).map(member);
    const unclaimed = await post(operator, '/api/alerts/group/decision', { alerts: group, decision: 'false_alert' });
    expect(unclaimed.status).toBe(409);
    const refusal = (await unclaimed.json()) as { error: string; message: string; details: { alertId: string } };
    expect(refusal.error).toBe('not_claimed');
    expect(refusal.details.alertId).toBe(first!.id);
    expect(refusal.message).toMatch(new RegExp(`^The alert from ${first!.camera.name} at \\d\\d:\\d\\d:\\d\\d London time is not claimed by you`));
    expect(refusal.message).toContain('Nothing was recorded for the group');
    for (const a of await fetched()) expect(a.status).toBe('new');

    // Held by someone else: named too.
    expect((await post(operator2, `/api/alerts/${first!.id}/claim`)).status).toBe(200);
    group = (await fetched()).map(member);
    const held = await post(operator, '/api/alerts/group/decision', { alerts: group, decision: 'false_alert' });
    expect(held.status).toBe(409);
    expect((await held.json()).message).toContain('is held by Omar Operator, not you');
    expect((await post(operator2, `/api/alerts/${first!.id}/release`)).status).toBe(200);
    expect((await post(operator, `/api/alerts/${first!.id}/claim`)).status).toBe(200);

    // A stale version of one of them: refused, naming it.
    group = (await fetched()).map(member);
    const stale = group.map((m, i) => (i === group.length - 1 ? { ...m, version: m.version - 1 } : m));
    const changed = await post(operator, '/api/alerts/group/decision', { alerts: stale, decision: 'engage' });
    expect(changed.status).toBe(409);
    expect(((await changed.json()) as { details: { alertId: string } }).details.alertId).toBe(group[group.length - 1]!.id);

    // The role, and the body, are checked before anything else.
    expect((await post(officer, '/api/alerts/group/decision', { alerts: group, decision: 'engage' })).status).toBe(403);
    for (const body of [
      { alerts: [], decision: 'engage' },
      { alerts: [group[0], group[0]], decision: 'engage' },
      { alerts: group, decision: 'maybe' },
    ]) {
      const bad = await post(operator, '/api/alerts/group/decision', body);
      expect(bad.status).toBe(422);
      expect((await bad.json()).error).toBe('invalid_input');
    }
    for (const a of await fetched()) expect(a.history).toEqual([]);
    // Ids are checked too: a control character (which PostgreSQL refuses in text) or a group past 50 is a 4xx naming it, never a 500.
    const nul = await post(operator, '/api/alerts/group/decision', { alerts: [{ id: 'a\u0000b', version: 1 }], decision: 'engage' });
    expect(nul.status).toBe(422);
    expect(JSON.stringify(await nul.json())).toContain('control or invisible characters');
    const many = Array.from({ length: 51 }, (_, i) => ({ id: `alert-${i}`, version: 1 }));
    const tooMany = await post(operator, '/api/alerts/group/decision', { alerts: many, decision: 'engage' });
    expect(tooMany.status).toBe(422);
    expect(JSON.stringify(await tooMany.json())).toContain('at most 50 alerts');
    const badQuery = await operator.fetch(`/api/alerts?deploymentId=${encodeURIComponent('a\u0000b')}`);
    expect(badQuery.status).toBeGreaterThanOrEqual(400);
    expect(badQuery.status).toBeLessThan(500);
    const figures = async () => ((await (await auditor.fetch(`/api/deployments/${live.id}/record`)).json()) as { alerts: AlertTally }).alerts;
    const before = await figures();

    // Decided once: each alert gets its own decision and audit record.
    const engaged = await post(operator, '/api/alerts/group/decision', { alerts: group, decision: 'engage', note: 'Same man on two cameras' });
    expect(engaged.status).toBe(200);
    const after = ((await engaged.json()) as { alerts: AlertView[] }).alerts;
    expect(after.map((a) => a.id)).toEqual(group.map((m) => m.id));
    for (const a of after) {
      expect(a).toMatchObject({ status: 'engaged', decision: 'engage', claimedBy: { name: 'Olivia Operator' } });
      expect(a.history.map((h) => `${h.kind}:${h.value}:${h.by.name}:${h.note}`)).toEqual(['decision:engage:Olivia Operator:Same man on two cameras']);
    }
    const audit = (await (await admin.fetch('/api/audit?action=alert.decided&pageSize=100')).json()) as {
      events: { subjectId: string; details: Record<string, unknown> }[];
    };
    const recorded = audit.events.filter((e) => group.some((m) => m.id === e.subjectId));
    expect(recorded).toHaveLength(group.length);
    for (const e of recorded)
      expect(e.details).toMatchObject({ decision: 'engage', correction: false, group: { size: group.length, firstAlertId: group[0]!.id } });

    // A decision again on the decided group is refused (a correction is per alert, with a reason).
    const again = await post(operator, '/api/alerts/group/decision', { alerts: after.map(member), decision: 'false_alert' });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toBe('alert_decided');

    // The outcome, once, for the whole group.
    const closed = await post(operator, '/api/alerts/group/outcome', { alerts: after.map(member), outcome: 'not_subject' });
    expect(closed.status).toBe(200);
    for (const a of ((await closed.json()) as { alerts: AlertView[] }).alerts)
      expect(a).toMatchObject({ status: 'closed', outcome: 'not_subject', claimedBy: null });
    // The record counts the group's engagement and outcome once, its alerts apiece.
    const now = await figures();
    expect(group.length).toBeGreaterThanOrEqual(2);
    expect(now.decided - before.decided).toBe(group.length);
    expect(now.engagements - before.engagements).toBe(1);
    expect(now.outcomes.not_subject - before.outcomes.not_subject).toBe(1);
    groupDecided.push(...group.map((m) => m.id));
    expect(await (await admin.fetch('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });

  it('escalation limits: anyone signed in reads them, admins set them (validated, audited); senior officers get them on the overview', async () => {
    expect(await (await operator.fetch('/api/settings/alert-escalation')).json()).toEqual({ colourAfterSeconds: 60, soundAfterSeconds: 180, isDefault: true });
    expect((await operator.json('/api/settings/alert-escalation', 'PUT', { colourAfterSeconds: 30, soundAfterSeconds: 90 })).status).toBe(403);
    const backwards = await admin.json('/api/settings/alert-escalation', 'PUT', { colourAfterSeconds: 120, soundAfterSeconds: 60 });
    expect(backwards.status).toBe(422);
    expect((await backwards.json()).message).toContain('soundAfterSeconds must be later than colourAfterSeconds');
    const set = await admin.json('/api/settings/alert-escalation', 'PUT', { colourAfterSeconds: 30, soundAfterSeconds: 90 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ colourAfterSeconds: 30, soundAfterSeconds: 90, isDefault: false });
    const audit = (await (await admin.fetch('/api/audit?action=settings.changed&pageSize=50')).json()) as {
      events: { subjectId: string; details: Record<string, unknown> }[];
    };
    expect(audit.events.find((e) => e.subjectId === 'alerts.escalation')?.details).toEqual({
      from: { colourAfterSeconds: 60, soundAfterSeconds: 180 },
      to: { colourAfterSeconds: 30, soundAfterSeconds: 90 },
    });
    const officerView = (await (await officer.fetch('/api/overview')).json()) as Overview;
    expect(officerView.escalation).toEqual({ colourAfterSeconds: 30, soundAfterSeconds: 90 });
    expect(((await (await operator.fetch('/api/overview')).json()) as Overview).escalation).toBeUndefined();
    expect((await admin.json('/api/settings/alert-escalation', 'PUT', { colourAfterSeconds: 60, soundAfterSeconds: 180 })).status).toBe(200);
  });
});

describe('claim time: the countdown, extending it, and telling the holder when it is taken away', () => {
  // Camera 5 is these tests' own: each alert is decided before the next is raised, so none coalesce.
  const CAMERA = 5;

  it('lets only the holder extend an open claim (audited); others 409, other roles 403, a decided alert 409', async () => {
    const alertId = await probeAlert(CAMERA);
    const unclaimed = await post(operator, `/api/alerts/${alertId}/extend`);
    expect(unclaimed.status).toBe(409);
    expect(await unclaimed.json()).toMatchObject({ error: 'not_claimed', message: expect.stringContaining('claim it again') });

    const claimed = (await (await post(operator, `/api/alerts/${alertId}/claim`)).json()) as AlertView;
    expect(Date.parse(claimed.claimExpiresAt!) - Date.parse(claimed.claimedAt!)).toBe(5 * 60_000);
    await new Promise((r) => setTimeout(r, 50));
    const extended = await post(operator, `/api/alerts/${alertId}/extend`);
    expect(extended.status).toBe(200);
    const after = (await extended.json()) as AlertView;
    expect(Date.parse(after.claimExpiresAt!)).toBeGreaterThan(Date.parse(claimed.claimExpiresAt!));
    expect(after.version).toBe(claimed.version + 1);
    expect(after.claimedBy?.name).toBe('Olivia Operator');

    const byOther = await post(operator2, `/api/alerts/${alertId}/extend`);
    expect(byOther.status).toBe(409);
    expect(await byOther.json()).toMatchObject({ error: 'not_claim_holder', message: expect.stringContaining('Olivia Operator holds this alert') });
    for (const session of [officer, auditor, admin]) expect((await post(session, `/api/alerts/${alertId}/extend`)).status).toBe(403);
    expect((await post(operator, '/api/alerts/no-such-alert/extend')).status).toBe(404);

    const audit = (await (await admin.fetch('/api/audit?action=alert.claim_extended')).json()) as {
      events: { subjectId: string; actorEmail: string; details: { until: string } }[];
    };
    const record = audit.events.find((e) => e.subjectId === alertId);
    expect(record).toMatchObject({ actorEmail: 'operator@sightline.test', details: { until: after.claimExpiresAt } });

    expect((await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', version: after.version })).status).toBe(200);
    const closed = await post(operator, `/api/alerts/${alertId}/extend`);
    expect(closed.status).toBe(409);
    expect(await closed.json()).toMatchObject({ error: 'alert_decided', message: expect.stringContaining('no claim to extend') });
  });

  it('tells the holder alone, over their socket, that a senior officer took their claim away', async () => {
    const alertId = await probeAlert(CAMERA);
    expect((await post(operator, `/api/alerts/${alertId}/claim`)).status).toBe(200);
    const holder = await connectSocket(server.baseUrl, operator.cookieHeader());
    const other = await connectSocket(server.baseUrl, operator2.cookieHeader());
    expect(holder.error ?? other.error).toBeUndefined();
    try {
      // Answered once the connection is set up (and the user's room joined).
      await holder.socket.emitWithAck('whoami');
      await other.socket.emitWithAck('whoami');
      const toOther: ClaimLost[] = [];
      other.socket.on('claim:lost', (lost) => toOther.push(lost));
      const told = new Promise<ClaimLost>((resolve) => holder.socket.on('claim:lost', (lost) => lost.alertId === alertId && resolve(lost)));
      expect((await post(officer, `/api/alerts/${alertId}/release`)).status).toBe(200);
      expect(await told).toMatchObject({ alertId, deploymentId: live.id, reason: 'released', by: { name: 'Sam Senior' }, camera: 'Camera 6' });

      // Releasing one's own claim tells nobody anything.
      expect((await post(operator2, `/api/alerts/${alertId}/claim`)).status).toBe(200);
      expect((await post(operator2, `/api/alerts/${alertId}/release`)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 300));
      expect(toOther).toEqual([]);
    } finally {
      holder.socket.close();
      other.socket.close();
    }
    const { version } = (await (await post(operator, `/api/alerts/${alertId}/claim`)).json()) as AlertView;
    expect((await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', version })).status).toBe(200);
  });

  it('serves the zone, the cameras and this person’s sightings in the deployment, with no images, to those who read alerts', async () => {
    const alertId = await probeAlert(CAMERA);
    const response = await operator.fetch(`/api/alerts/${alertId}/sightings`);
    expect(response.status).toBe(200);
    const context = (await response.json()) as AlertContext;
    expect(context.deployment).toMatchObject({ id: live.id, zone: { type: 'Polygon' } });
    expect(context.cameras.map((c) => c.name).sort()).toEqual(live.cameras.map((c) => c.name).sort());
    expect(Object.keys(context.cameras[0]!).sort()).toEqual(['id', 'lat', 'lng', 'name']);
    // Every alert of this test file is the same person: the two decided above are listed, newest first.
    expect(context.sightings[0]).toMatchObject({ alertId, camera: { name: 'Camera 6' }, status: 'new' });
    expect(context.sightings.filter((s) => s.camera.name === 'Camera 6' && s.status === 'false_alert')).toHaveLength(2);
    const times = context.sightings.map((s) => Date.parse(s.firstSeenAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(JSON.stringify(context)).not.toMatch(/crop|sourceUrl|referenceImage/);
    expect((await officer.fetch(`/api/alerts/${alertId}/sightings`)).status).toBe(200);
    for (const session of [auditor, admin]) expect((await session.fetch(`/api/alerts/${alertId}/sightings`)).status).toBe(403);
    expect((await operator.fetch('/api/alerts/no-such-alert/sightings')).status).toBe(404);
    const { version } = (await (await post(operator, `/api/alerts/${alertId}/claim`)).json()) as AlertView;
    expect((await post(operator, `/api/alerts/${alertId}/decision`, { decision: 'false_alert', version })).status).toBe(200);
  });
});

describe('the home page: what needs attention now (GET /api/overview, attention:changed)', () => {
  const overviewOf = async (session: Session): Promise<Overview> => {
    const response = await session.fetch('/api/overview');
    expect(response.status).toBe(200);
    return (await response.json()) as Overview;
  };
  /** A socket following the overview, and the next change (`attention:changed`) it is told of. */
  async function following(session: Session) {
    const { socket, error } = await connectSocket(server.baseUrl, session.cookieHeader());
    expect(error).toBeUndefined();
    expect(await socket.emitWithAck('attention:join', {})).toEqual({ ok: true });
    // The next change (the steady ticks in between are not what a test waits for); within 5 s or never.
    const changed = () =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no attention:changed { reason: "change" } within 5 s')), 5000);
        const listener = ({ reason }: { reason: string }) => {
          if (reason !== 'change') return;
          clearTimeout(timer);
          socket.off('attention:changed', listener);
          resolve(reason);
        };
        socket.on('attention:changed', listener);
      });
    return { socket, changed };
  }

  it('an operator sees the live deployment, its faces (unwritten ones included) and its alerts awaiting a decision, told over the socket', async () => {
    expect((await new Session(server.baseUrl).fetch('/api/overview')).status).toBe(401);
    const before = (await overviewOf(operator)).deployments!.find((d) => d.id === live.id)!;
    const { socket, changed } = await following(operator);
    const told = changed();
    // (camera 3's alerts are all decided, so this one is new rather than a sighting of an open one)
    const alertId = await probeAlert(3);
    expect(await told).toBe('change');
    socket.close();

    const overview = await overviewOf(operator);
    expect(overview).toMatchObject({ liveLinks: true });
    expect(overview.plansAwaitingAuthorisation).toBeUndefined();
    expect(overview.overdueReviews).toBeUndefined();
    expect(overview.retention).toBeUndefined();
    const shown = overview.deployments!.find((d) => d.id === live.id)!;
    // The face was counted in memory a moment ago; the job writes only minutes that are over.
    expect(shown.facesRecently - before.facesRecently).toBe(1);
    const { alerts } = (await (await operator.fetch(`/api/alerts?deploymentId=${live.id}&state=new`)).json()) as { alerts: AlertView[] };
    expect(alerts.map((a) => a.id)).toContain(alertId);
    const oldest = alerts.map((a) => a.createdAt).sort()[0]!;
    expect(shown.awaiting).toEqual({ count: alerts.length, oldestSince: oldest });
    expect(shown.awaiting!.count).toBe(before.awaiting!.count + 1);
  });

  it('a senior officer sees a submitted plan only when another officer wrote it', async () => {
    const { watchlists } = (await (await officer.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
    const plan = await createPlan(officer, validPlan([watchlists[0]!.id], { name: 'Awaiting a second officer' }));
    const { socket, changed } = await following(officer2);
    const told = changed();
    await submitPlan(officer, plan.id);
    expect(await told).toBe('change');
    socket.close();
    // (the demo has a submitted plan of its own)
    expect((await overviewOf(officer2)).plansAwaitingAuthorisation).toContainEqual(
      expect.objectContaining({ id: plan.id, name: 'Awaiting a second officer', plannerName: 'Sam Senior' }),
    );
    expect((await overviewOf(officer)).plansAwaitingAuthorisation!.map((p) => p.id)).not.toContain(plan.id);
  });

  it('an admin sees overdue reviews per watchlist and retention, never alerts or deployments', async () => {
    const { watchlists } = (await (await admin.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
    const demo = watchlists.find((w) => w.name === 'Demo — central London')!;
    const { entries } = (await (await admin.fetch(`/api/watchlists/${demo.id}/entries`)).json()) as { entries: { id: string }[] };
    const { socket, changed } = await following(admin);
    const told = changed();
    const patched = await admin.json(`/api/watchlists/${demo.id}/entries/${entries[0]!.id}`, 'PATCH', { reviewBy: '2026-06-01' });
    expect(patched.status).toBe(200);
    expect(await told).toBe('change');
    socket.close();
    const overview = await overviewOf(admin);
    expect(overview.deployments).toBeUndefined();
    expect(overview.plansAwaitingAuthorisation).toBeUndefined();
    expect(overview.overdueReviews).toEqual([{ id: demo.id, name: demo.name, overdue: 1 }]);
    expect(overview.retention).toMatchObject({ retentionDays: 31, expiredCrops: 0, leftoverSnapshots: 0 });
    // The alert job runs in the server every 30 s, so it says when it next runs.
    expect(Date.parse(overview.retention!.cropsJobNextRunAt!)).toBeGreaterThan(Date.now() - 1000);
  });

  it('an auditor gets figures only: no alerts, no names or references of anyone on a watchlist, no images', async () => {
    const response = await auditor.fetch('/api/overview');
    expect(response.status).toBe(200);
    const text = await response.text();
    const overview = JSON.parse(text) as Overview;
    const shown = overview.deployments!.find((d) => d.id === live.id)!;
    expect(shown.facesRecently).toBeGreaterThan(0);
    expect(shown.awaiting).toBeUndefined();
    expect(overview.liveLinks).toBe(false);
    expect(overview.retention).toBeDefined();
    const { alerts } = (await (await operator.fetch(`/api/alerts?deploymentId=${live.id}`)).json()) as { alerts: AlertView[] };
    for (const alert of alerts) {
      expect(text).not.toContain(alert.name);
      expect(text).not.toContain(alert.reference);
      expect(text).not.toContain(alert.id);
    }
    expect(text).not.toMatch(/cropUrl|referenceImage|"reference"|descriptor|claimedBy/);
  });
});

describe('scheduled jobs (run in this process against the server database, with the clock moved on)', () => {
  it('releases a claim after 5 minutes without action, and audits it', async () => {
    process.env.DATABASE_URL = server.databaseUrl;
    const { releaseLapsedClaims } = await import('@/lib/alerts/mutations');
    const id = await probeAlert(1);
    expect((await post(operator, `/api/alerts/${id}/claim`)).status).toBe(200);
    expect(await releaseLapsedClaims(new Date(Date.now() + 60_000))).toBe(0);
    // No socket server in this process: a recorder stands in for it, to see what the job tells whom.
    const { registerRealtimeServer } = await import('@/lib/realtime/publish');
    const sent: { room: string; event: string; payload: unknown }[] = [];
    const recorder = { to: (room: string) => ({ emit: (event: string, payload: unknown) => void sent.push({ room, event, payload }) }) };
    registerRealtimeServer(recorder as unknown as Parameters<typeof registerRealtimeServer>[0]);
    try {
      expect(await releaseLapsedClaims(new Date(Date.now() + 5 * 60_000 + 1000))).toBeGreaterThanOrEqual(1);
    } finally {
      registerRealtimeServer(undefined);
    }
    const holder = (await (await operator.fetch('/api/me')).json()) as { id: string };
    const lapsedNotice = sent.find((m) => m.event === 'claim:lost' && (m.payload as ClaimLost).alertId === id);
    expect(lapsedNotice?.payload).toMatchObject({ reason: 'lapsed', by: null, name: expect.stringContaining('Demo subject') });
    expect(lapsedNotice?.room).toBe(`user:${holder.id}`);
    expect(((await (await operator.fetch(`/api/alerts/${id}`)).json()) as AlertView).claimedBy).toBeNull();
    const audit = (await (await admin.fetch('/api/audit?action=alert.claim_lapsed')).json()) as { events: { subjectId: string }[] };
    expect(audit.events.map((e) => e.subjectId)).toContain(id);
  });

  it('deletes crops after the retention period unless retained, keeping decisions and outcomes', async () => {
    const { deleteExpiredCrops } = await import('@/lib/alerts/mutations');
    const { alerts } = (await (await operator.fetch(`/api/alerts?deploymentId=${live.id}`)).json()) as { alerts: AlertView[] };
    const decided = alerts.find((a) => a.history.length >= 2)!;
    const kept = alerts.find((a) => a.id !== decided.id)!;
    const short = await post(officer, `/api/alerts/${kept.id}/retain`, { reason: 'x' });
    expect(short.status).toBe(422);
    expect((await post(officer, `/api/alerts/${kept.id}/retain`, { reason: 'Evidence for a court hearing, case 01/2345/26' })).status).toBe(200);
    expect((await post(auditor, `/api/alerts/${kept.id}/retain`, { reason: 'Evidence for a court hearing' })).status).toBe(403);

    expect(await deleteExpiredCrops(31, new Date(Date.now() + 30 * 86_400_000))).toBe(0);
    const deleted = await deleteExpiredCrops(31, new Date(Date.now() + 32 * 86_400_000));
    expect(deleted).toBe(alerts.length - 1);

    const after = (await (await operator.fetch(`/api/alerts/${decided.id}`)).json()) as AlertView;
    expect(after.cropUrl).toBeNull();
    expect(after.history).toEqual(decided.history);
    expect(after.decision).toBe(decided.decision);
    expect((await operator.fetch(`/api/alerts/${decided.id}/crop`)).status).toBe(410);
    const retained = (await (await operator.fetch(`/api/alerts/${kept.id}`)).json()) as AlertView;
    expect(retained).toMatchObject({ retained: true, retainReason: 'Evidence for a court hearing, case 01/2345/26' });
    expect((await operator.fetch(retained.cropUrl!)).status).toBe(200);
    const audit = (await (await admin.fetch('/api/audit?action=alert.crop_deleted&pageSize=100')).json()) as { events: unknown[] };
    expect(audit.events).toHaveLength(alerts.length - 1);
    const late = await post(officer, `/api/alerts/${decided.id}/retain`, { reason: 'Too late: the image is gone already' });
    expect(late.status).toBe(409);
    expect(await (await admin.fetch('/api/audit/verify')).json()).toMatchObject({ ok: true });
  });
});

describe('the record of a deployment', () => {
  it('keeps a camera that raised alerts: removing it is refused with 409', async () => {
    expect((await post(officer, `/api/deployments/${live.id}/suspend`, { reason: 'Pause for the test' })).status).toBe(200);
    const removed = await officer.fetch(`/api/deployments/${live.id}/cameras/${live.cameras[0]!.id}`, { method: 'DELETE' });
    expect(removed.status).toBe(409);
    expect((await removed.json()).message).toMatch(/raised alerts/);
  });
});

describe('the dashboard across deployments: CSV export (GET /api/records.csv)', () => {
  it('gives auditors the figures of the deployment as its alerts stand, audited; no watchlist person in it', async () => {
    const { alerts } = (await (await operator.fetch(`/api/alerts?deploymentId=${live.id}`)).json()) as { alerts: AlertView[] };
    const count = (test: (a: AlertView) => boolean) => alerts.filter(test).length;
    const [stored] = await rawQuery<{ faces: number }>(server.databaseUrl, 'SELECT "facesProcessed" AS faces FROM "Deployment" WHERE id = $1', [live.id]);
    const faces = Number(stored!.faces);
    const response = await auditor.fetch('/api/records.csv?status=suspended');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="sightline-deployments_\d{4}-\d\d-\d\d_to_\d{4}-\d\d-\d\d_suspended\.csv"$/,
    );
    const csv = await response.text();
    const lines = csv.split('\r\n');
    const header = lines[0]!.split(',');
    const row = lines.find((line) => line.startsWith(`${live.id},`))!.split(',');
    const field = (name: string) => row[header.indexOf(name)];
    const falseAlerts = count((a) => a.decision === 'false_alert');
    expect({
      name: field('name'),
      status: field('status'),
      borough: field('borough'),
      cameras: field('cameras'),
      faces: field('faces_processed'),
      raised: field('alerts_raised'),
      decided: field('alerts_decided'),
      falseAlerts: field('false_alerts'),
      engagements: field('engagements'),
      notSubject: field('outcome_not_subject'),
      per1000: field('false_alerts_per_1000_faces'),
    }).toEqual({
      name: 'Triage test',
      status: 'suspended',
      borough: 'Westminster',
      cameras: String(live.cameras.length),
      faces: String(faces),
      raised: String(alerts.length),
      decided: String(count((a) => a.decision !== null)),
      falseAlerts: String(falseAlerts),
      // One group call engaged several of them: one engagement, one outcome.
      engagements: String(count((a) => a.decision === 'engage') - (groupDecided.length - 1)),
      notSubject: String(count((a) => a.decision === 'engage' && a.outcome === 'not_subject') - (groupDecided.length - 1)),
      per1000: faces > 0 ? String(Number(((falseAlerts * 1000) / faces).toFixed(4))) : '',
    });
    expect(falseAlerts).toBeGreaterThan(5);
    expect(Number(field('median_seconds_to_decision'))).toBeGreaterThanOrEqual(0);
    // Only suspended deployments (the filter), and the totals row last.
    expect(
      lines
        .filter((line) => line && !line.startsWith('TOTAL,'))
        .slice(1)
        .every((line) => line.split(',')[2] === 'suspended'),
    ).toBe(true);
    expect(lines.at(-2)).toMatch(/^TOTAL,/);
    for (const alert of alerts) {
      expect(csv).not.toContain(alert.name);
      expect(csv).not.toContain(alert.reference);
    }
    const audit = (await (await admin.fetch('/api/audit?action=records.exported')).json()) as {
      events: { actorEmail: string; details: { format: string; filter: Record<string, unknown>; deployments: number } }[];
    };
    expect(audit.events).toHaveLength(1);
    expect(audit.events[0]).toMatchObject({ actorEmail: 'auditor@sightline.test', details: { format: 'csv', filter: { status: 'suspended', borough: null } } });
    expect(audit.events[0]!.details.deployments).toBe(lines.length - 3);
  });

  it('refuses operators and admins (403), and names a bad date (400)', async () => {
    expect((await operator.fetch('/api/records.csv')).status).toBe(403);
    expect((await admin.fetch('/api/records.csv')).status).toBe(403);
    const bad = await officer.fetch('/api/records.csv?from=5%2F12%2F2026');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_filter', message: expect.stringMatching(/^from: /), details: { field: 'from' } });
  });
});
