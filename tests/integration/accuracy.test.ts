/**
 * Thresholds from a target, not a constant: every plan's false-alert forecast comes from a stored
 * calibration (here the built-in face-api one), and a plan over the force's target goes forward
 * only with recorded reasons — the planner's at submission (for figures at least as high as those
 * authorised) and the authorising officer's own at authorisation. Going live takes no reason: it
 * proceeds only within the target or what the authorising officer accepted. Against the real
 * server, on the default recogniser (face-api alone).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlan, getDeployment, validPlan } from '../support/deployment-fixtures';
import { rawQuery } from '../support/raw-db';
import { startServer, type TestServer } from '../support/server';
import { DEMO_PASSWORD, Session } from '../support/session';

let server: TestServer;
let planner: Session, authoriser: Session, operator: Session, admin: Session, auditor: Session;
let demoWatchlist: string;

type Json = Record<string, unknown> & { message?: string; error?: string };
const answer = async (response: Response) => ({ status: response.status, body: (await response.json()) as Json });
const post = (session: Session, path: string, body?: unknown) =>
  body === undefined ? session.fetch(path, { method: 'POST' }) : session.json(path, 'POST', body);

async function signedIn(email: string) {
  const session = new Session(server.baseUrl);
  expect((await session.signIn(email, DEMO_PASSWORD)).ok).toBe(true);
  return session;
}

type Forecast = {
  complete: boolean;
  meetsTarget?: boolean;
  falseAlertsPerFace?: { estimate: number; upper: number };
  targetPerFace: number;
  summary: string;
  verification?: { calibrationId: string; engineId: string; identities?: number | null };
};

async function history(id: string) {
  return (await getDeployment(auditor, id)).history!;
}

const REASON = 'Missing child at risk: the duty superintendent accepts a higher false-alert rate for four hours.';

beforeAll(async () => {
  server = await startServer();
  planner = await signedIn('officer@sightline.test');
  authoriser = await signedIn('officer2@sightline.test');
  operator = await signedIn('operator@sightline.test');
  admin = await signedIn('admin@sightline.test');
  auditor = await signedIn('auditor@sightline.test');
  const { watchlists } = (await (await planner.fetch('/api/watchlists')).json()) as { watchlists: { id: string; name: string }[] };
  demoWatchlist = watchlists.find((w) => w.name === 'Demo — central London')!.id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe('no customary default', () => {
  it('a new plan has no thresholds until they are chosen, and its forecast says what it lacks', async () => {
    const created = await answer(await post(planner, '/api/deployments', { name: 'Thresholds not chosen' }));
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ threshold: null, verifyThreshold: null, verifierId: null });
    const forecast = (created.body.accuracy as { forecast: Forecast }).forecast;
    expect(forecast.complete).toBe(false);
    expect(forecast.summary).toMatch(/needs a candidate distance \(.+\) and a verification threshold/);
  });
});

describe('the forecast', () => {
  it('comes from the built-in calibration, with the figures, the target and the words', async () => {
    const preview = await answer(
      await post(planner, '/api/deployments/forecast', {
        watchlistIds: [demoWatchlist],
        categories: ['wanted_by_court'],
        threshold: 0.6,
        verifyThreshold: 0.45,
        verifierId: null,
      }),
    );
    expect(preview.status).toBe(200);
    const { forecast, proposal, verifier, target } = preview.body as {
      forecast: Forecast;
      proposal: { verifyThreshold: number; meetsTarget: boolean };
      verifier: { id: string };
      target: { facesPerFalseAlert: number };
    };
    expect(target.facesPerFalseAlert).toBe(6000);
    expect(verifier.id).toBe('faceapi-128');
    expect(forecast).toMatchObject({
      complete: true,
      meetsTarget: false,
      targetPerFace: 1 / 6000,
      verification: { calibrationId: 'builtin-faceapi-128', engineId: 'faceapi-128', identities: 40 },
    });
    expect(forecast.falseAlertsPerFace!.upper).toBeGreaterThan(1 / 6000);
    expect(forecast.summary).toMatch(/cannot meet the target with the bundled face-api recogniser/);
    expect(proposal).toMatchObject({ meetsTarget: false });
    expect(proposal.verifyThreshold).toBeGreaterThanOrEqual(0.3);
  });

  it('is for those who plan: others get 403, bad input 422 naming the field', async () => {
    const body = { watchlistIds: [], categories: [], threshold: null, verifyThreshold: null, verifierId: null };
    for (const session of [operator, admin, auditor]) expect((await post(session, '/api/deployments/forecast', body)).status).toBe(403);
    expect((await post(new Session(server.baseUrl), '/api/deployments/forecast', body)).status).toBe(401);
    const bad = await answer(await post(planner, '/api/deployments/forecast', { ...body, threshold: 2 }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/threshold/);
  });

  it('refuses a verification threshold outside its recogniser’s range, naming the range — on save and in the preview alike', async () => {
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Out of range' }));
    const refused = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { verifyThreshold: 0.9 }));
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/verifyThreshold must be between 0\.3 and 0\.7 for faceapi-128 \(a distance: lower is stricter\)/);
    // The preview does not forecast a value the plan could not hold.
    const preview = await answer(
      await post(planner, '/api/deployments/forecast', {
        watchlistIds: [demoWatchlist],
        categories: ['wanted_by_court'],
        threshold: 0.6,
        verifyThreshold: 0.9,
        verifierId: null,
      }),
    );
    expect(preview.status).toBe(422);
    expect(preview.body.message).toMatch(/verifyThreshold must be between 0\.3 and 0\.7 for faceapi-128 \(a distance: lower is stricter\)/);
  });

  it('has no forecast and proposes nothing for watchlists and categories with no reference images', async () => {
    const preview = await answer(
      await post(planner, '/api/deployments/forecast', { watchlistIds: [], categories: [], threshold: 0.6, verifyThreshold: 0.45, verifierId: null }),
    );
    expect(preview.status).toBe(200);
    const { forecast, proposal } = preview.body as { forecast: Forecast & { problems?: string[] }; proposal: { verifyThreshold: number | null } };
    expect(forecast.complete).toBe(false);
    expect(forecast.problems).toEqual([expect.stringMatching(/no reference images in the chosen watchlists and categories yet/)]);
    expect(proposal.verifyThreshold).toBeNull();
  });

  it('of a plan whose verification threshold was chosen for another recogniser is incomplete, naming both; it cannot go live until one is chosen for this one', async () => {
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Superseded verifier' }));
    await post(planner, `/api/deployments/${id}/submit`, { overrideReason: REASON });
    await post(authoriser, `/api/deployments/${id}/authorise`, { overrideReason: 'Authorised for this test: the verifier is replaced after authorisation.' });
    expect((await getDeployment(planner, id)).status).toBe('authorised');
    // The recogniser it was planned with is replaced (here: retired from this server) after authorisation.
    await rawQuery(server.databaseUrl, 'UPDATE "Deployment" SET "verifierId" = $1 WHERE id = $2', ['retired-model', id]);
    const view = (await answer(await planner.fetch(`/api/deployments/${id}`))).body as {
      accuracy: { verifier: { id: string }; verifierUnavailable: string | null; forecast: Forecast & { problems?: string[] } };
    };
    expect(view.accuracy).toMatchObject({ verifier: { id: 'faceapi-128' }, verifierUnavailable: 'retired-model', forecast: { complete: false } });
    expect(view.accuracy.forecast.problems).toContain(
      'a new verification threshold (its verification threshold was chosen for retired-model; this server verifies with faceapi-128: choose a new one)',
    );
    const refused = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('verifier_unavailable');
    expect(refused.body.message).toMatch(/chosen for retired-model; this server verifies with faceapi-128: choose a new one/);
    // Choosing one records it for the recogniser verifying here (and returns the plan to draft).
    const chosen = await answer(await planner.json(`/api/deployments/${id}`, 'PATCH', { verifyThreshold: 0.45 }));
    expect(chosen.body).toMatchObject({
      status: 'draft',
      verifierId: 'faceapi-128',
      verifyThreshold: 0.45,
      accuracy: { verifierUnavailable: null, forecast: { complete: true } },
    });
  });
});

describe('over the target', () => {
  let id: string;

  beforeAll(async () => {
    ({ id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Over the target' })));
  });

  it('refuses submission without a reason, naming the figures; nothing changes', async () => {
    const refused = await answer(await post(planner, `/api/deployments/${id}/submit`));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('forecast_over_target');
    expect(refused.body.message).toMatch(
      /The forecast is at most [\d.]+ false alerts per 1,000 faces \(the smaller stage's point estimate: [\d.]+\) with \d+ reference images, over the force's target of 0\.17 per 1,000 faces \(1 in 6,000 faces\)/,
    );
    expect((refused.body.details as { forecast: { meetsTarget: boolean } }).forecast.meetsTarget).toBe(false);
    expect((await getDeployment(planner, id)).status).toBe('draft');
    // A reason of no substance is refused too.
    expect((await answer(await post(planner, `/api/deployments/${id}/submit`, { overrideReason: 'ok' }))).status).toBe(422);
  });

  it('submits with a reason, recording the forecast and the reason in the plan and the audit trail', async () => {
    const submitted = await answer(await post(planner, `/api/deployments/${id}/submit`, { overrideReason: REASON }));
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ status: 'submitted', submitOverrideReason: REASON, submittedForecast: { complete: true, meetsTarget: false } });
    const event = (await history(id)).find((h) => h.action === 'deployment.submitted')!;
    expect(event.actor?.email).toBe('officer@sightline.test');
    expect(event.details).toMatchObject({
      overrideReason: REASON,
      forecast: { complete: true, meetsTarget: false, targetPerFace: 1 / 6000, verification: { calibrationId: 'builtin-faceapi-128' } },
    });
  });

  it('the second officer must give a reason of their own to authorise', async () => {
    const refused = await answer(await post(authoriser, `/api/deployments/${id}/authorise`, { notes: 'Looks right.' }));
    expect(refused.status).toBe(422);
    expect(refused.body.error).toBe('forecast_over_target');
    expect((await getDeployment(planner, id)).status).toBe('submitted');

    const own = 'I accept the forecast: the watchlist is three people, and each alert is checked by an operator before anyone acts.';
    const authorised = await answer(await post(authoriser, `/api/deployments/${id}/authorise`, { notes: 'Looks right.', overrideReason: own }));
    expect(authorised.status).toBe(200);
    expect(authorised.body).toMatchObject({ status: 'authorised', authoriseOverrideReason: own, authorisedForecast: { complete: true } });
    const event = (await history(id)).find((h) => h.action === 'deployment.authorised')!;
    expect(event.actor?.email).toBe('officer2@sightline.test');
    expect(event.details).toMatchObject({ overrideReason: own, forecast: { meetsTarget: false } });
  });

  it('goes live without another reason while the watchlist is no bigger than authorised', async () => {
    const live = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(live.status).toBe(200);
    const event = (await history(id)).find((h) => h.action === 'deployment.started')!;
    expect(event.details).toMatchObject({ acceptedBy: 'authorisation', forecast: { complete: true, meetsTarget: false } });
    await post(planner, `/api/deployments/${id}/end`, { reason: 'test over' });
  });

  it('a change to the plan drops the recorded forecasts and reasons with the authorisation', async () => {
    const { id: other } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Changed after authorisation' }));
    await post(planner, `/api/deployments/${other}/submit`, { overrideReason: REASON });
    await post(authoriser, `/api/deployments/${other}/authorise`, { overrideReason: REASON });
    const changed = await answer(await planner.json(`/api/deployments/${other}`, 'PATCH', { verifyThreshold: 0.4 }));
    expect(changed.body).toMatchObject({
      status: 'draft',
      authorisationWithdrawn: true,
      submittedForecast: null,
      authorisedForecast: null,
      submitOverrideReason: null,
      authoriseOverrideReason: null,
    });
  });
});

describe('the force’s target', () => {
  it('admins set it (audited); nobody else may; bad values are refused naming the field', async () => {
    for (const session of [planner, operator, auditor]) {
      expect((await session.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 10 })).status).toBe(403);
    }
    for (const session of [planner, auditor]) expect((await session.fetch('/api/settings/accuracy-target')).status).toBe(200);
    // Operators triage alerts; the force's accuracy settings are not theirs to need.
    expect((await operator.fetch('/api/settings/accuracy-target')).status).toBe(403);
    const bad = await answer(await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 1.5 }));
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/facesPerFalseAlert must be a whole number/);

    const set = await answer(await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 10 }));
    expect(set.body).toMatchObject({ facesPerFalseAlert: 10, perFace: 0.1, isDefault: false });
    const events = (await (await auditor.fetch('/api/audit?action=settings.changed')).json()) as {
      events: { details: Record<string, unknown>; actorEmail: string | null }[];
    };
    expect(events.events[0]).toMatchObject({ details: { from: { facesPerFalseAlert: 6000 }, to: { facesPerFalseAlert: 10 } } });
  });

  it('a plan within a looser target submits without a reason', async () => {
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Within the target' }));
    const submitted = await answer(await post(planner, `/api/deployments/${id}/submit`));
    expect(submitted.status).toBe(200);
    expect(submitted.body).toMatchObject({ submittedForecast: { meetsTarget: true }, submitOverrideReason: null });
    await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 6000 });
  });

  it('authorising over the target needs the planner’s reason for these figures: without one it goes back to the planner', async () => {
    await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 10 });
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Submitted under a looser target' }));
    expect(await answer(await post(planner, `/api/deployments/${id}/submit`))).toMatchObject({ status: 200, body: { submitOverrideReason: null } });
    await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 6000 });

    const own = 'I accept the forecast: three people, and every alert is checked by an operator before anyone acts.';
    for (const body of [{ overrideReason: own }, {}]) {
      const refused = await answer(await post(authoriser, `/api/deployments/${id}/authorise`, body));
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('resubmission_needed');
      expect(refused.body.message).toMatch(
        /^The forecast is now at most [\d.]+ false alerts per 1,000 faces .* over the force's target of 0\.17 per 1,000 faces \(1 in 6,000 faces\), and the planner recorded no reason for going ahead over the target\. Reject the plan back to the planner, to submit it again with a reason for these figures\.$/,
      );
    }
    expect((await getDeployment(planner, id)).status).toBe('submitted');
    expect((await history(id)).some((h) => h.action === 'deployment.authorised')).toBe(false);

    // Rejected back to the planner: nothing recorded at submission survives (the resubmission records its own).
    const rejected = await answer(
      await post(authoriser, `/api/deployments/${id}/reject`, { reason: 'Over the target now: say why it should go ahead with these figures.' }),
    );
    expect(rejected.body).toMatchObject({
      status: 'draft',
      submittedForecast: null,
      submitOverrideReason: null,
      authorisedForecast: null,
      authoriseOverrideReason: null,
    });
    expect(await answer(await post(planner, `/api/deployments/${id}/submit`, { overrideReason: REASON }))).toMatchObject({
      status: 200,
      body: { submitOverrideReason: REASON },
    });
    const authorised = await answer(await post(authoriser, `/api/deployments/${id}/authorise`, { overrideReason: own }));
    expect(authorised.status).toBe(200);
    expect(authorised.body).toMatchObject({ status: 'authorised', submitOverrideReason: REASON, authoriseOverrideReason: own });
  });

  it('a planner’s reason given for lower figures does not cover higher ones at authorisation', async () => {
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Grew after submission' }));
    expect((await post(planner, `/api/deployments/${id}/submit`, { overrideReason: REASON })).status).toBe(200);
    // As if the watchlist had grown since: the figures the planner's reason was given for are lower than today's.
    const [row] = await rawQuery<{ submittedForecast: string }>(server.databaseUrl, 'SELECT "submittedForecast" FROM "Deployment" WHERE id = $1', [id]);
    const recorded = JSON.parse(row!.submittedForecast) as { falseAlertsPerFace: { upper: number } };
    recorded.falseAlertsPerFace.upper /= 2;
    await rawQuery(server.databaseUrl, 'UPDATE "Deployment" SET "submittedForecast" = $1 WHERE id = $2', [JSON.stringify(recorded), id]);

    const refused = await answer(
      await post(authoriser, `/api/deployments/${id}/authorise`, {
        overrideReason: 'I accept the forecast for a short window with every alert checked by an operator.',
      }),
    );
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('resubmission_needed');
    expect(refused.body.message).toMatch(
      /and the planner's reason was given for a forecast of at most [\d.]+ per 1,000 faces\. Reject the plan back to the planner/,
    );
    expect((await getDeployment(planner, id)).status).toBe('submitted');
  });

  it('a target tightened after authorisation sends the plan back to an authorising officer; the planner cannot override it at go-live', async () => {
    await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 10 });
    const { id } = await createPlan(planner, validPlan([demoWatchlist], { name: 'Authorised under a looser target' }));
    expect((await post(planner, `/api/deployments/${id}/submit`)).status).toBe(200);
    const authorised = await answer(await post(authoriser, `/api/deployments/${id}/authorise`));
    expect(authorised.body).toMatchObject({ status: 'authorised', authoriseOverrideReason: null, authorisedForecast: { meetsTarget: true } });
    await admin.json('/api/settings/accuracy-target', 'PUT', { facesPerFalseAlert: 6000 });

    const refused = await answer(await post(planner, `/api/deployments/${id}/start`));
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('reauthorisation_needed');
    expect(refused.body.message).toMatch(
      /over the force's target of 0\.17 per 1,000 faces .* no authorising officer accepted a forecast over it\. Edit the plan/,
    );
    const own = await answer(await post(planner, `/api/deployments/${id}/start`, { overrideReason: REASON }));
    expect(own.status).toBe(422);
    expect(own.body.message).toMatch(/authorising officer/);
    expect((await getDeployment(planner, id)).status).toBe('authorised');
    expect((await history(id)).some((h) => h.action === 'deployment.started')).toBe(false);
  });
});

describe('the Recognition page’s data', () => {
  it('shows recognisers, coverage and calibrations to planners, admins and auditors, never to operators', async () => {
    for (const session of [planner, admin, auditor]) {
      const overview = await answer(await session.fetch('/api/recognition'));
      expect(overview.status).toBe(200);
      const engines = overview.body.engines as { manifest: { id: string }; roles: string[]; templates: number; images: number; activeCalibrationId: string }[];
      expect(engines.map((e) => e.manifest.id)).toEqual(['faceapi-128']);
      expect(engines[0]).toMatchObject({ roles: ['first stage', 'verifier'], activeCalibrationId: 'builtin-faceapi-128' });
      expect(engines[0]!.templates).toBe(engines[0]!.images);
    }
    expect((await operator.fetch('/api/recognition')).status).toBe(403);
    const curves = await answer(await auditor.fetch('/api/calibrations/builtin-faceapi-128'));
    const engine = (curves.body.engines as { curve: { fmr: number; fnmr: number }[]; operatingPoints: { label: string }[] }[])[0]!;
    expect(engine.curve.length).toBeGreaterThan(10);
    expect(engine.operatingPoints.some((p) => /Over the target|Within the target/.test(p.label))).toBe(true);
    expect((await operator.fetch('/api/calibrations/builtin-faceapi-128')).status).toBe(403);
    expect((await auditor.fetch('/api/calibrations/nope')).status).toBe(404);
  });
});
