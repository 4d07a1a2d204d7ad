import type { Tx } from '@/lib/db/client';
import { getAccuracyTarget } from '@/lib/settings/data';
import { watchlistSize } from '@/lib/watchlists/data';
import { calibrationInUse } from './data';
import { candidateEngine, verifyingEngine, type EnabledEngine } from './engines';
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
  /** The recogniser the plan's verification threshold was chosen for (null: none chosen yet) and the threshold. */
  verifierId: string | null;
  verifyThreshold: number | null;
};

export type EngineSummary = { id: string; version: string; name: string; metric: Metric; range: ThresholdRange };

export type PlanForecast = {
  forecast: Forecast;
  proposal: Proposal;
  candidate: EngineSummary;
  /**
   * The recogniser that verifies this plan's candidates: always the one verifying on this server
   * now (verifyingEngine()). Its range is the one a verification threshold is chosen in and saved
   * for; the proposal is for it.
   */
  verifier: EngineSummary;
  /**
   * Set (to that recogniser's id) when the plan's verification threshold was chosen for another
   * recogniser than `verifier` — superseded: the plan needs a new one before it can go forward.
   */
  verifierUnavailable: string | null;
  target: { facesPerFalseAlert: number; perFace: number };
};

/** A plan's forecast for a check (submission, authorisation, go-live): no proposal computed. */
export type PlanForecastCheck = Omit<PlanForecast, 'proposal'>;

const summary = (engine: EnabledEngine): EngineSummary => ({
  id: engine.manifest.id,
  version: engine.manifest.version,
  name: engine.manifest.name,
  metric: engine.manifest.metric,
  range: thresholdRange({ id: engine.manifest.id, metric: engine.manifest.metric }),
});

/**
 * The verifier a plan is checked and goes live with, and the one rule for which recogniser its
 * verification threshold belongs to: the recogniser verifying on this server now. A plan whose
 * threshold was chosen for any other — one no longer enabled, or one still enabled but no longer
 * the verifier — is superseded: `unavailable` names the recogniser it was chosen for, and the plan
 * needs a new threshold (its forecast is incomplete; go-live is refused). Deployments already live
 * keep verifying with the recogniser they went live with while it is enabled (lib/live/probes.ts).
 */
export function planVerifier(verifierId: string | null): { engine: EnabledEngine; unavailable: string | null } {
  const running = verifyingEngine();
  if (verifierId && verifierId !== running.manifest.id) return { engine: running, unavailable: verifierId };
  return { engine: running, unavailable: null };
}

type ForecastOptions = {
  db?: Tx;
  watchlist?: { entries: number; templates: number };
  /**
   * For the checks inside the submit, authorise and start transactions: skip the proposal and the
   * search for a threshold that would meet the target (scans of each recogniser's range that only
   * advise the planner), so the write transaction holds its lock no longer than the check needs.
   */
  checkOnly?: boolean;
};

export async function forecastForPlan(plan: PlanAccuracy, options: ForecastOptions & { checkOnly: true }): Promise<PlanForecastCheck>;
export async function forecastForPlan(plan: PlanAccuracy, options?: ForecastOptions & { checkOnly?: false }): Promise<PlanForecast>;
export async function forecastForPlan(
  plan: PlanAccuracy,
  { db, watchlist, checkOnly = false }: ForecastOptions = {},
): Promise<PlanForecast | PlanForecastCheck> {
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
  const forecast = forecastPlan(
    {
      targetPerFace: target.perFace,
      watchlist: size,
      candidate: stage(candidate, plan.threshold, candidateCalibration),
      // A verification threshold chosen for another recogniser means nothing for this one.
      verification: { ...stage(verifier, plan.verifyThreshold, verifierCalibration), chosenFor: unavailable },
    },
    { alternatives: !checkOnly },
  );
  const result: PlanForecastCheck = {
    forecast,
    candidate: summary(candidate),
    verifier: summary(verifier),
    verifierUnavailable: unavailable,
    target: { facesPerFalseAlert: target.facesPerFalseAlert, perFace: target.perFace },
  };
  if (checkOnly) return result;
  const proposal = proposeThresholds({
    targetPerFace: target.perFace,
    watchlist: size,
    candidate: stage(candidate, null, candidateCalibration),
    verification: stage(verifier, null, verifierCalibration),
  });
  return { ...result, proposal };
}
