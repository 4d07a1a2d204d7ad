import { getDb, type Tx } from '@/lib/db/client';
import { getAccuracyTarget } from '@/lib/settings/data';
import { watchlistSize } from '@/lib/watchlists/data';
import { calibrationInUse } from './data';
import { candidateEngine, engineById, verifyingEngine, type EnabledEngine } from './engines';
import { forecastPlan, proposeThresholds, thresholdRange, type Forecast, type Proposal, type StageInput, type ThresholdRange } from './forecast';
import type { Metric } from './manifest';

/**
 * The forecast of a plan as the server computes it: the force's target, the plan's watchlist
 * size, the recognisers running here and the calibrations in use, fed to the pure forecast
 * (lib/recognition/forecast.ts). Shown while planning, checked at submission, authorisation and
 * go-live. Server only; pass the transaction when called inside one.
 */

export type PlanAccuracy = {
  watchlistIds: string[];
  categories: string[];
  /** First stage, face-api distance. */
  threshold: number | null;
  /** The plan's verifier (null: not chosen yet, the one running here is assumed) and its threshold. */
  verifierId: string | null;
  verifyThreshold: number | null;
};

export type EngineSummary = { id: string; version: string; name: string; metric: Metric; range: ThresholdRange };

export type PlanForecast = {
  forecast: Forecast;
  proposal: Proposal;
  candidate: EngineSummary;
  verifier: EngineSummary;
  /** Set when the plan names a verifier this server does not run. */
  verifierUnavailable: string | null;
  target: { facesPerFalseAlert: number; perFace: number };
};

const summary = (engine: EnabledEngine): EngineSummary => ({
  id: engine.manifest.id,
  version: engine.manifest.version,
  name: engine.manifest.name,
  metric: engine.manifest.metric,
  range: thresholdRange({ id: engine.manifest.id, metric: engine.manifest.metric }),
});

/** The verifier a plan uses: the one it was planned with if it still runs here, else the one running now. */
export function planVerifier(verifierId: string | null): { engine: EnabledEngine; unavailable: string | null } {
  if (verifierId) {
    const engine = engineById(verifierId);
    if (engine) return { engine, unavailable: null };
    return { engine: verifyingEngine(), unavailable: verifierId };
  }
  return { engine: verifyingEngine(), unavailable: null };
}

export async function forecastForPlan(
  plan: PlanAccuracy,
  { db = getDb(), watchlist }: { db?: Tx; watchlist?: { entries: number; templates: number } } = {},
): Promise<PlanForecast> {
  const target = await getAccuracyTarget(db);
  const size = watchlist ?? (await watchlistSize(plan.watchlistIds, plan.categories, db));
  const candidate = candidateEngine();
  const { engine: verifier, unavailable } = planVerifier(plan.verifierId);
  const [candidateCalibration, verifierCalibration] = await Promise.all([
    calibrationInUse(candidate.manifest.id, candidate.manifest.version, db),
    calibrationInUse(verifier.manifest.id, verifier.manifest.version, db),
  ]);
  const stage = (engine: EnabledEngine, threshold: number | null, calibration: StageInput['calibration']): StageInput => ({
    engineId: engine.manifest.id,
    engineName: engine.manifest.name,
    metric: engine.manifest.metric,
    threshold,
    calibration,
  });
  // A verification threshold chosen for another recogniser means nothing for this one.
  const verifyThreshold = unavailable ? null : plan.verifyThreshold;
  let forecast = forecastPlan({
    targetPerFace: target.perFace,
    watchlist: size,
    candidate: stage(candidate, plan.threshold, candidateCalibration),
    verification: stage(verifier, verifyThreshold, verifierCalibration),
  });
  if (unavailable && !forecast.complete) {
    const problem = `a new verification threshold: the recogniser it was planned with (${unavailable}) is not enabled on this server`;
    forecast = { ...forecast, problems: [problem, ...forecast.problems.filter((p) => !p.startsWith('a verification threshold'))], summary: `No forecast yet: it needs ${problem}.` };
  }
  const proposal = proposeThresholds({
    targetPerFace: target.perFace,
    watchlist: size,
    candidate: stage(candidate, null, candidateCalibration),
    verification: stage(verifier, null, verifierCalibration),
  });
  return {
    forecast,
    proposal,
    candidate: summary(candidate),
    verifier: summary(verifier),
    verifierUnavailable: unavailable,
    target: { facesPerFalseAlert: target.facesPerFalseAlert, perFace: target.perFace },
  };
}
