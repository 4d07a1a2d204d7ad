import { FACEAPI_128 } from '@/lib/recognition/manifest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnectDb, getDb } from '@/lib/db/client';
import { runDeploymentHousekeeping, startDeploymentScheduler } from '@/lib/deployments/jobs';
import {
  authorisedPlan,
  authorisePlan,
  CAMERA_INSIDE,
  CAMERA_OUTSIDE,
  createPlan,
  getDeployment,
  startPlan,
  submitPlan,
  validPlan,
  type DeploymentJson,
} from '../support/deployment-fixtures';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';

/**
 * The deployment lifecycle over HTTP against the real server. The watchlists a snapshot copies
 * are inserted straight into the test database (the watchlist API needs real face photos),
 * and the housekeeping job is run in this process against the same database, with a clock
 * set past the window instead of waiting for it.
 */

let server: TestServer;
let planner: Session; // officer@ — plans
let authoriser: Session; // officer2@ — the second senior officer
let operator: Session;
let admin: Session;
let auditor: Session;
let wantedList: string; // two wanted_by_court entries (three images) and one missing_vulnerable
let emptyList: string;

async function signedIn(email: string): Promise<Session> {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok, email).toBe(true);
  return session;
}

async function seedWatchlists(createdById: string) {
  const db = getDb();
  const image = () => ({
    mediaType: 'image/jpeg',
    bytes: Buffer.from([0xff, 0xd8, 0xff]),
    width: 400,
    height: 400,
    boxX: 100,
    boxY: 100,
    boxWidth: 200,
    boxHeight: 200,
    detectionScore: 0.98,
    templates: { create: [{ engineId: 'faceapi-128', engineVersion: FACEAPI_128.version, dims: 128, vector: Buffer.alloc(128 * 4, 1) }] },
  });
  const entry = (reference: string, category: string, images: number) => ({
    reference,
    name: `Person ${reference}`,
    category,
    imageSource: 'custody photograph',
    legalBasis: 'PACE Code D',
    imageTakenOn: new Date('2026-01-10T00:00:00Z'),
    reviewBy: new Date('2027-06-01T00:00:00Z'),
    addedById: createdById,
    images: { create: Array.from({ length: images }, image) },
  });
  const wanted = await db.watchlist.create({ data: { name: 'Robbery warrants', createdById } });
  for (const data of [entry('W-1', 'wanted_by_court', 2), entry('W-2', 'wanted_by_court', 1), entry('M-1', 'missing_vulnerable', 1)]) {
    await db.watchlistEntry.create({ data: { ...data, watchlistId: wanted.id } });
  }
  const empty = await db.watchlist.create({ data: { name: 'Nobody yet', createdById } });
  return { wanted: wanted.id, empty: empty.id };
}

beforeAll(async () => {
  server = await startServer();
  process.env.DATABASE_URL = server.databaseUrl;
  planner = await signedIn('officer@sightline.test');
  authoriser = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  admin = await signedIn('admin@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const me = (await (await admin.fetch('/api/me')).json()) as { id: string };
  ({ wanted: wantedList, empty: emptyList } = await seedWatchlists(me.id));
});

afterAll(async () => {
  await disconnectDb();
  await server?.stop();
});

const post = (session: Session, path: string, body?: unknown) =>
  body === undefined ? session.fetch(path, { method: 'POST' }) : session.json(path, 'POST', body);

async function answer(response: Response): Promise<{ status: number; body: Record<string, unknown> & { message?: string } }> {
  return { status: response.status, body: (await response.json()) as Record<string, unknown> & { message?: string } };
}

async function snapshotImageCount(deploymentId: string): Promise<number> {
  const [row] = await rawQuery<{ n: number | string }>(
    server.databaseUrl,
    'SELECT COUNT(*) AS n FROM "SnapshotImage" si JOIN "WatchlistSnapshot" ws ON si."snapshotId" = ws.id WHERE ws."deploymentId" = $1',
    [deploymentId],
  );
  return Number(row!.n);
}

async function snapshotCount(deploymentId: string): Promise<number> {
  const [row] = await rawQuery<{ n: number | string }>(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "WatchlistSnapshot" WHERE "deploymentId" = $1', [
    deploymentId,
  ]);
  return Number(row!.n);
}

/** The deployment's audit history as (action, actor email) pairs, read by the auditor. */
async function history(id: string): Promise<[string, string | null][]> {
  const view = await getDeployment(auditor, id);
  return view.history!.map((h) => [h.action, h.actor?.email ?? null]);
}

describe('who may do what', () => {
  it('answers 401 signed out, 403 with a message to admins, and lets only senior officers plan', async () => {
    expect((await new Session(server.baseUrl).fetch('/api/deployments')).status).toBe(401);
    const adminList = await answer(await admin.fetch('/api/deployments'));
    expect(adminList.status).toBe(403);
    expect(adminList.body.message).toContain('admin');

    for (const session of [admin, operator, auditor]) {
      const refused = await answer(await post(session, '/api/deployments', { name: 'Not mine to plan' }));
      expect(refused.status).toBe(403);
      expect(refused.body).toMatchObject({ error: 'forbidden', message: expect.stringContaining('deployment:plan') });
    }
    const created = await answer(await post(planner, '/api/deployments', { name: 'Oxford Circus' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(String), status: 'draft', planner: { email: 'officer@sightline.test' } });
  });

  it('operators see authorised deployments only, read-only; auditors read every record', async () => {
    const draft = await createPlan(planner, validPlan([wantedList], { name: 'Draft, hidden from operators' }));
    const authorised = await authorisedPlan(planner, authoriser, validPlan([wantedList], { name: 'Authorised, visible' }));

    const operatorList = (await (await operator.fetch('/api/deployments')).json()) as { deployments: DeploymentJson[] };
    const seen = operatorList.deployments.map((d) => d.id);
    expect(seen).toContain(authorised.id);
    expect(seen).not.toContain(draft.id);
    expect(operatorList.deployments.every((d) => ['authorised', 'live', 'suspended', 'ended', 'cancelled'].includes(d.status))).toBe(true);

    const hidden = await answer(await operator.fetch(`/api/deployments/${draft.id}`));
    expect(hidden.status).toBe(403);
    expect(hidden.body.message).toMatch(/once it has been authorised/);
    const shown = await getDeployment(operator, authorised.id);
    expect(shown.status).toBe('authorised');
    expect(shown.history).toBeUndefined();
    expect(shown.actions).toEqual([]);
    expect((await operator.json(`/api/deployments/${authorised.id}`, 'PATCH', { threshold: 0.5 })).status).toBe(403);
    expect((await post(operator, `/api/deployments/${authorised.id}/start`)).status).toBe(403);

    const auditorList = (await (await auditor.fetch('/api/deployments')).json()) as { deployments: DeploymentJson[] };
    expect(auditorList.deployments.map((d) => d.id)).toEqual(expect.arrayContaining([draft.id, authorised.id]));
    expect((await getDeployment(auditor, draft.id)).history?.[0]).toMatchObject({ action: 'deployment.created' });
    expect((await post(auditor, `/api/deployments/${draft.id}/cancel`, { reason: 'Auditors change nothing' })).status).toBe(403);

    const filtered = (await (await auditor.fetch('/api/deployments?status=draft')).json()) as { deployments: DeploymentJson[] };
    expect(filtered.deployments.every((d) => d.status === 'draft')).toBe(true);
  });
});

describe('planning and submission', () => {
  it('saves an incomplete draft, and submission lists every missing item in plain words', async () => {
    const created = await answer(await post(planner, '/api/deployments', { name: 'Half a plan', threshold: 0.55 }));
    const id = created.body.id as string;
    const refused = await answer(await post(planner, `/api/deployments/${id}/submit`));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('incomplete_plan');
    // Each a sentence naming the field as the form labels it.
    for (const words of [
      'Zone: draw the area',
      'Cameras: place at least one camera',
      'Window start: enter a start time.',
      'Window end: enter an end time.',
      'Location rationale: ',
      'Intelligence case: ',
      'Necessity and proportionality: ',
      'Watchlists: choose at least one watchlist.',
      'Categories: ',
      'Verification threshold: ',
      'Public notice (signage): ',
    ]) {
      expect(refused.body.message).toContain(words);
    }
    // The candidate distance was given; the verification threshold was not.
    expect(refused.body.message).not.toContain('Candidate distance');
    expect((refused.body.details as { missing: unknown[] }).missing).toHaveLength(11);
    expect((await getDeployment(planner, id)).status).toBe('draft');
  });

  it('refuses a camera outside the zone at submission, naming it', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'Stray camera' }));
    const added = await answer(await post(planner, `/api/deployments/${id}/cameras`, CAMERA_OUTSIDE));
    expect(added.status).toBe(201);
    expect(added.body.notice).toMatch(/outside the zone/);
    const refused = await answer(await post(planner, `/api/deployments/${id}/submit`));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toContain('camera "Trafalgar Sq" is outside the zone');

    const removed = await answer(await planner.fetch(`/api/deployments/${id}/cameras/${added.body.id as string}`, { method: 'DELETE' }));
    expect(removed.body).toMatchObject({ id: added.body.id, removed: true, status: 'draft' });
    expect((await submitPlan(planner, id)).status).toBe('submitted');
  });

  it('answers bad input with 400/413/415/422 naming the problem, never 500', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'Bad input target' }));
    const cases: [Response, number, RegExp][] = [
      [
        await planner.json('/api/deployments', 'POST', { ...validPlan([]), threshold: 0.9 }),
        422,
        /threshold \(the candidate distance\) must be between 0\.3 and 0\.7/,
      ],
      [
        await planner.json('/api/deployments', 'POST', { ...validPlan([]), categories: ['anyone_of_interest'] }),
        422,
        /categories\.0: each category must be one of/,
      ],
      [
        await planner.json('/api/deployments', 'POST', { name: 'x', startsAt: '2026-12-01T12:00:00Z', endsAt: '2026-12-01T09:00:00Z' }),
        422,
        /end after it starts/,
      ],
      [
        await planner.json('/api/deployments', 'POST', { name: 'x', startsAt: '2026-12-01T09:00:00Z', endsAt: '2026-12-02T10:00:00Z' }),
        422,
        /at most 24 hours/,
      ],
      // the window rule also holds when only one end is changed
      [await planner.json(`/api/deployments/${id}`, 'PATCH', { endsAt: new Date(Date.now() + 30 * 3_600_000).toISOString() }), 422, /at most 24 hours/],
      [
        await planner.json('/api/deployments', 'POST', {
          name: 'x',
          zone: {
            type: 'Polygon',
            coordinates: [
              [
                [0, 0],
                [1, 1],
              ],
            ],
          },
        }),
        422,
        /zone/,
      ],
      [await planner.json('/api/deployments', 'POST', { name: 'x', planner: 'someone else' }), 422, /planner/],
      [
        await planner.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, source: { kind: 'webrtc', url: 'https://x.example' } }),
        422,
        /source\.kind/,
      ],
      [await planner.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, source: { kind: 'rtsp', url: 'https://x.example/cam' } }), 422, /rtsp/],
      [await planner.json(`/api/deployments/${id}/cameras`, 'POST', { ...CAMERA_INSIDE, fov: 720 }), 422, /fov/],
      [await planner.fetch('/api/deployments', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }), 400, /not valid JSON/],
      [await planner.fetch('/api/deployments', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name' }), 415, /JSON/],
      [await planner.json('/api/deployments', 'POST', { name: 'x', locationRationale: 'x'.repeat(100_000) }), 413, /larger than/],
      [await planner.json(`/api/deployments/${id}`, 'PATCH', {}), 422, /nothing to change/],
      [await planner.fetch('/api/deployments/no-such-id'), 404, /No such deployment/],
      [await planner.json(`/api/deployments/${id}/cameras/no-such-camera`, 'PATCH', { heading: 10 }), 404, /No such camera/],
      [await planner.fetch('/api/deployments?status=everything'), 422, /status must be one of/],
    ];
    for (const [response, status, message] of cases) {
      const { body } = await answer(response);
      expect(response.status, `${response.url} ${body.message}`).toBe(status);
      expect(body.message).toMatch(message);
    }
  });
});

describe('decisions', () => {
  it('enforces the two-person rule: the planner, or anyone who changed the plan, cannot decide on it', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'Two-person rule' }));
    await submitPlan(planner, id);
    const own = await answer(await post(planner, `/api/deployments/${id}/authorise`));
    expect(own.status).toBe(403);
    expect(own.body.message).toMatch(/You planned this deployment.*two-person rule/);
    expect((await post(planner, `/api/deployments/${id}/reject`, { reason: 'Changed my mind' })).status).toBe(403);
    expect((await getDeployment(planner, id)).actions).not.toContain('authorise');
    expect((await getDeployment(authoriser, id)).actions).toEqual(expect.arrayContaining(['authorise', 'reject']));

    // officer2 edits the plan: now both officers have written it, so neither may decide.
    expect((await authoriser.json(`/api/deployments/${id}`, 'PATCH', { threshold: 0.58 })).status).toBe(200);
    await submitPlan(planner, id);
    const coauthor = await answer(await post(authoriser, `/api/deployments/${id}/authorise`));
    expect(coauthor.status).toBe(403);
    expect(coauthor.body.message).toMatch(/changed or submitted/);
    expect((await getDeployment(planner, id)).status).toBe('submitted');
  });

  it('authorises by a second officer with notes, audited with who and when', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'Authorise with notes' }));
    await submitPlan(planner, id);
    const decided = await authorisePlan(authoriser, id, 'Proportionate; review signage at 14:00.');
    expect(decided).toMatchObject({
      status: 'authorised',
      authoriser: { email: 'officer2@sightline.test' },
      decisionNotes: 'Proportionate; review signage at 14:00.',
    });
    expect(await history(id)).toEqual([
      ['deployment.created', 'officer@sightline.test'],
      ['camera.added', 'officer@sightline.test'],
      ['deployment.submitted', 'officer@sightline.test'],
      ['deployment.authorised', 'officer2@sightline.test'],
    ]);
  });

  it('rejection needs reasons and returns the plan to draft with them until resubmitted', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'To be rejected' }));
    await submitPlan(planner, id);
    const noReason = await answer(await post(authoriser, `/api/deployments/${id}/reject`, {}));
    expect(noReason.status).toBe(422);
    expect(noReason.body.message).toMatch(/reason is required/);

    const rejected = await answer(await post(authoriser, `/api/deployments/${id}/reject`, { reason: 'The intelligence is three weeks old.' }));
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'draft', authoriser: null, rejection: { reason: 'The intelligence is three weeks old.' } });

    const edited = await answer(
      await planner.json(`/api/deployments/${id}`, 'PATCH', { intelligenceCase: 'Fresh sighting reported yesterday by two witnesses.' }),
    );
    expect(edited.body).toMatchObject({ status: 'draft', authorisationWithdrawn: false, rejection: { reason: 'The intelligence is three weeks old.' } });
    const resubmitted = await submitPlan(planner, id);
    expect(resubmitted).toMatchObject({ status: 'submitted', rejection: null, decisionNotes: null });
    const events = await history(id);
    expect(events).toContainEqual(['deployment.rejected', 'officer2@sightline.test']);
    expect((await getDeployment(auditor, id)).history!.find((h) => h.action === 'deployment.rejected')?.details).toEqual({
      reason: 'The intelligence is three weeks old.',
    });
  });

  it('any change after authorisation returns the plan to draft, withdraws the authorisation and says so', async () => {
    const plan = validPlan([wantedList], { name: 'Edited after authorisation' });
    const { id } = await authorisedPlan(planner, authoriser, plan);

    // The same values again change nothing, so nothing is withdrawn.
    const same = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { threshold: plan.threshold }));
    expect(same.body).toMatchObject({ status: 'authorised', authorisationWithdrawn: false });

    const changed = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { threshold: 0.55 }));
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ status: 'draft', authorisationWithdrawn: true, authoriser: null, threshold: 0.55 });
    expect(changed.body.notice).toMatch(/withdrew the authorisation given by Sasha Senior/);
    const withdrawal = (await getDeployment(auditor, id)).history!.slice(-2);
    expect(withdrawal.map((h) => h.action)).toEqual(['deployment.changed', 'deployment.authorisation_withdrawn']);
    expect(withdrawal[0]!.details).toMatchObject({ changes: { threshold: { from: 0.5, to: 0.55 } }, statusFrom: 'authorised' });
    expect(withdrawal[1]!.details).toMatchObject({ cause: 'deployment.changed', authorisedBy: 'officer2@sightline.test' });

    // A camera change withdraws it too.
    await submitPlan(planner, id);
    await authorisePlan(authoriser, id);
    const camera = (await getDeployment(planner, id)).cameras[0]!;
    const turned = await answer(await planner.json(`/api/deployments/${id}/cameras/${camera.id}`, 'PATCH', { heading: 90 }));
    expect(turned.body).toMatchObject({ id: camera.id, heading: 90, status: 'draft', authorisationWithdrawn: true });
    expect((await history(id)).at(-1)).toEqual(['deployment.authorisation_withdrawn', 'officer@sightline.test']);
  });

  it('answers a wrong transition with 409 naming the current state', async () => {
    const { id } = await createPlan(planner, validPlan([wantedList], { name: 'Wrong order' }));
    const cases: [string, unknown, RegExp][] = [
      ['start', undefined, /is a draft, so it cannot be started/],
      ['authorise', undefined, /is a draft, so it cannot be authorised/],
      ['end', undefined, /is a draft, so it cannot be ended/],
      ['suspend', { reason: 'Not even submitted' }, /is a draft, so it cannot be suspended/],
    ];
    for (const [action, body, message] of cases) {
      const refused = await answer(await post(authoriser, `/api/deployments/${id}/${action}`, body));
      expect(refused.status, action).toBe(409);
      expect(refused.body).toMatchObject({ error: 'invalid_transition', details: { status: 'draft', action } });
      expect(refused.body.message).toMatch(message);
    }
    expect((await post(planner, `/api/deployments/${id}/cancel`, { reason: 'Operation called off' })).status).toBe(200);
    const final = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { name: 'Too late' }));
    expect(final.status).toBe(409);
    expect(final.body.message).toMatch(/is cancelled.*final record/);
    expect((await post(planner, `/api/deployments/${id}/submit`)).status).toBe(409);
    expect((await post(planner, `/api/deployments/${id}/cameras`, CAMERA_INSIDE)).status).toBe(409);
  });
});

describe('the window', () => {
  it('accepts a window that has started, refuses one that has ended, and goes live only inside it', async () => {
    const hour = 3_600_000;
    const past = {
      ...validPlan([wantedList], { name: 'Yesterday' }),
      startsAt: new Date(Date.now() - 5 * hour).toISOString(),
      endsAt: new Date(Date.now() - hour).toISOString(),
    };
    const { id: pastId } = await createPlan(planner, past);
    const refused = await answer(await post(planner, `/api/deployments/${pastId}/submit`));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/the window has already ended/);

    const later = {
      ...validPlan([wantedList], { name: 'Later today' }),
      startsAt: new Date(Date.now() + hour).toISOString(),
      endsAt: new Date(Date.now() + 3 * hour).toISOString(),
    };
    const { id } = await authorisedPlan(planner, authoriser, later);
    const early = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(early.status).toBe(409);
    // In London time with the clock named, not a raw UTC timestamp.
    expect(early.body.message).toMatch(/^It cannot go live yet: its window opens at \d\d:\d\d London time \((GMT|BST)\)/);
    expect(early.body.message).not.toMatch(/\d{4}-\d\d-\d\dT/);
    expect((await getDeployment(planner, id)).status).toBe('authorised');
    expect(await snapshotCount(id)).toBe(0);
  });
});

describe('going live and ending', () => {
  it('refuses to submit a plan with nobody to look for: it has no forecast', async () => {
    const { id } = await createPlan(planner, validPlan([emptyList], { name: 'Nobody to look for yet' }));
    const refused = await answer(
      await post(planner, `/api/deployments/${id}/submit`, { overrideReason: 'An over-target reason does not stand in for reference images.' }),
    );
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      error: 'incomplete_plan',
      message: expect.stringMatching(/no reference images in the chosen watchlists and categories yet/),
    });
    expect((await getDeployment(planner, id)).status).toBe('draft');
  });

  it('refuses to go live with an empty snapshot, changing nothing', async () => {
    // Authorised while its watchlist had someone on it; emptied before go-live.
    const db = getDb();
    const me = (await (await admin.fetch('/api/me')).json()) as { id: string };
    const list = await db.watchlist.create({ data: { name: 'Emptied after authorisation', createdById: me.id } });
    const { id: entryId } = await db.watchlistEntry.findFirstOrThrow({ where: { watchlistId: wantedList, reference: 'W-2' }, select: { id: true } });
    await db.watchlistEntry.update({ where: { id: entryId }, data: { watchlistId: list.id } });
    const { id } = await authorisedPlan(planner, authoriser, validPlan([list.id], { name: 'Nobody to look for' }));
    await db.watchlistEntry.update({ where: { id: entryId }, data: { watchlistId: wantedList } });
    const refused = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'empty_snapshot', message: expect.stringMatching(/snapshot would be empty/) });
    expect((await getDeployment(planner, id)).status).toBe('authorised');
    expect(await snapshotCount(id)).toBe(0);
  });

  it('creates the snapshot at go-live, refuses edits while live, and purges it when ended by hand', async () => {
    const { id } = await authorisedPlan(planner, authoriser, validPlan([wantedList], { name: 'Live and ended' }));
    const live = await startPlan(planner, id);
    // Only the two wanted_by_court entries (three images); the missing-person entry is out of scope.
    expect(live).toMatchObject({ status: 'live', snapshot: { entryCount: 2, imageCount: 3 }, snapshotPurgedAt: null });
    expect(await snapshotImageCount(id)).toBe(3);

    const edit = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { threshold: 0.5 }));
    expect(edit.status).toBe(409);
    expect(edit.body.message).toMatch(/is live.*Suspend or end it first/);
    expect((await post(planner, `/api/deployments/${id}/start`)).status).toBe(409);

    const ended = await answer(await post(authoriser, `/api/deployments/${id}/end`));
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ status: 'ended', statusReason: 'ended by hand', snapshot: null, snapshotPurgedAt: expect.any(String) });
    expect(await snapshotCount(id)).toBe(0);
    expect(await snapshotImageCount(id)).toBe(0);

    expect(await history(id)).toEqual([
      ['deployment.created', 'officer@sightline.test'],
      ['camera.added', 'officer@sightline.test'],
      ['deployment.submitted', 'officer@sightline.test'],
      ['deployment.authorised', 'officer2@sightline.test'],
      ['snapshot.created', 'officer@sightline.test'],
      ['deployment.started', 'officer@sightline.test'],
      ['deployment.ended', 'officer2@sightline.test'],
      ['snapshot.purged', 'officer2@sightline.test'],
    ]);
  });

  it('suspends with a reason, resumes only after a fresh authorisation, and cancels for good', async () => {
    const { id } = await authorisedPlan(planner, authoriser, validPlan([wantedList], { name: 'Suspended' }), { live: true });
    expect((await post(authoriser, `/api/deployments/${id}/suspend`, {})).status).toBe(422);
    const suspended = await answer(await post(authoriser, `/api/deployments/${id}/suspend`, { reason: 'Crowd disorder near the camera van' }));
    expect(suspended.body).toMatchObject({ status: 'suspended', statusReason: 'Crowd disorder near the camera van', snapshot: null });
    expect(await snapshotCount(id)).toBe(0);

    const restart = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(restart.status).toBe(409);
    expect(restart.body.message).toMatch(/is suspended/);

    expect((await submitPlan(planner, id)).status).toBe('submitted');
    expect((await post(planner, `/api/deployments/${id}/authorise`)).status).toBe(403);
    await authorisePlan(authoriser, id);
    const again = await startPlan(planner, id);
    expect(again).toMatchObject({ status: 'live', snapshot: { imageCount: 3 } });

    const cancelled = await answer(await post(authoriser, `/api/deployments/${id}/cancel`, { reason: 'Intelligence withdrawn' }));
    expect(cancelled.body).toMatchObject({ status: 'cancelled', statusReason: 'Intelligence withdrawn', endedAt: expect.any(String) });
    expect(await snapshotImageCount(id)).toBe(0);
    const final = await answer(await post(planner, `/api/deployments/${id}/submit`));
    expect(final.status).toBe(409);
    expect(final.body.message).toMatch(/cancelled/);

    const actions = (await history(id)).map(([action]) => action);
    expect(actions.filter((a) => a === 'snapshot.created')).toHaveLength(2);
    expect(actions.filter((a) => a === 'snapshot.purged')).toHaveLength(2);
    expect(actions).toEqual(expect.arrayContaining(['deployment.suspended', 'deployment.cancelled']));
  });
});

describe('housekeeping', () => {
  it('the scheduler ends a deployment on the real clock a moment after its window closes', async () => {
    // A window that closes four seconds from now: time enough to plan, authorise and start it.
    const plan = { ...validPlan([wantedList], { name: 'Closes in seconds' }), endsAt: new Date(Date.now() + 4000).toISOString() };
    const { id } = await authorisedPlan(planner, authoriser, plan, { live: true });
    const logged: string[] = [];
    // Named apart from the server's own job, which leads 'deployments' on PostgreSQL (and runs once a minute).
    const stop = startDeploymentScheduler({
      intervalMs: 250,
      jobName: 'deployments-test',
      log: { log: (m: string) => logged.push(m), error: (...a: unknown[]) => logged.push(String(a)) },
    });
    try {
      await expect.poll(async () => (await getDeployment(planner, id)).status, { timeout: 10_000, interval: 250 }).toBe('ended');
    } finally {
      await stop();
    }
    expect(await snapshotImageCount(id)).toBe(0);
    expect(logged.some((m) => /ended 1 deployment/.test(m))).toBe(true);
  });

  it('ends a live deployment when its window closes and purges its snapshot, as the system', async () => {
    const plan = validPlan([wantedList], { name: 'Window closes', hours: 1 });
    const { id } = await authorisedPlan(planner, authoriser, plan, { live: true });
    const endsAt = new Date(plan.endsAt as string);

    expect((await runDeploymentHousekeeping(new Date(endsAt.getTime() - 1000))).ended).not.toContain(id);
    expect((await getDeployment(planner, id)).status).toBe('live');

    const result = await runDeploymentHousekeeping(new Date(endsAt.getTime() + 1000));
    expect(result.ended).toContain(id);
    const ended = await getDeployment(planner, id);
    expect(ended).toMatchObject({ status: 'ended', statusReason: 'window closed', snapshot: null });
    expect(await snapshotImageCount(id)).toBe(0);

    const last = (await getDeployment(auditor, id)).history!.slice(-2);
    expect(last.map((h) => [h.action, h.actor])).toEqual([
      ['deployment.ended', null],
      ['snapshot.purged', null],
    ]);
    expect(last[0]!.details).toMatchObject({ reason: 'window closed', automatic: true });
  });

  it('purges any snapshot left behind by a deployment that is not live', async () => {
    const { id } = await authorisedPlan(planner, authoriser, validPlan([wantedList], { name: 'Leftover snapshot' }));
    // Simulate a leftover (e.g. a crash in an older version) straight in the database.
    const db = getDb();
    const snapshot = await db.watchlistSnapshot.create({ data: { deploymentId: id, entryCount: 1, imageCount: 1 } });
    await db.snapshotImage.create({
      data: { snapshotId: snapshot.id, entryId: 'e', referenceImageId: 'r', watchlistId: wantedList, reference: 'W-1', name: 'x', category: 'wanted_by_court' },
    });
    const result = await runDeploymentHousekeeping();
    expect(result.purged).toEqual([id]);
    expect(await snapshotImageCount(id)).toBe(0);
    expect((await getDeployment(planner, id)).status).toBe('authorised');
  });

  it('leaves the audit chain intact', async () => {
    const verify = (await (await auditor.fetch('/api/audit/verify')).json()) as { ok: boolean };
    expect(verify.ok).toBe(true);
  });
});
