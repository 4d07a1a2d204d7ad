import { fmrAt, fnmrAt, thresholdGrid, type EngineCalibration } from './calibration';
import { FACEAPI_ENGINE_ID, type Metric } from './manifest';
import { falseMatchPerFace, observedRate, type ObservedRate } from './statistics';

/**
 * How many false alerts a plan will raise, before anyone authorises it.
 *
 * Matching has two stages. The browser's face-api descriptor finds *candidates*: watchlist
 * templates within the plan's candidate distance. Each candidate is then *verified* on the
 * server by the verifying recogniser from the probe's own face crop, and only a face that passes
 * the verification threshold raises an alert. For one passer-by and a watchlist of N templates:
 *
 *   false alerts per face ≤ min( 1 − (1 − FMR₁)^N , 1 − (1 − FMR₂)^N )
 *
 * where FMR₁ and FMR₂ are the two stages' per-comparison false match rates at their thresholds.
 * An alert needs both stages to pass, so it cannot be likelier than either stage alone; the bound
 * holds however correlated the two recognisers are (assuming independence would multiply the two
 * and could promise far too much). Misses: a true match is lost if either stage misses it,
 * 1 − (1 − FNMR₁)(1 − FNMR₂).
 *
 * Each stage's FMR comes from a stored calibration and is used at its one-sided 97.5 % upper bound,
 * so that the smaller of the two is an upper bound with at least 95 % confidence (the verdict, "at
 * most …"): a calibration too small to show a low FMR cannot claim one. The best estimates are
 * shown beside the bounds.
 *
 * Pure: the server gathers the inputs (lib/recognition/forecasts.ts), the plan editor shows the output.
 */

export type ThresholdRange = { min: number; max: number; step: number; stricter: 'lower' | 'higher' };

/** Thresholds a plan may choose for an engine; face-api's bounds are the ones plans always had. */
export function thresholdRange(engine: { id: string; metric: Metric }): ThresholdRange {
  if (engine.id === FACEAPI_ENGINE_ID) return { min: 0.3, max: 0.7, step: 0.01, stricter: 'lower' };
  if (engine.metric === 'cosine') return { min: 0, max: 0.95, step: 0.01, stricter: 'higher' };
  return { min: 0, max: 4, step: 0.01, stricter: 'lower' };
}

export function inRange(value: number, range: ThresholdRange): boolean {
  return Number.isFinite(value) && value >= range.min - 1e-9 && value <= range.max + 1e-9;
}

/**
 * The share of passers-by the first stage may send for verification. Verification costs tens of
 * milliseconds of a worker thread per candidate; at one in ten faces a busy control room of
 * 50 faces a second keeps one worker well under half busy.
 */
export const CANDIDATE_RATE_BUDGET = 0.1;

/** A calibration as the forecast uses it, with where it came from. */
export type CalibrationUse = Pick<EngineCalibration, 'engineId' | 'metric' | 'genuine' | 'impostor'> & {
  calibrationId: string;
  calibrationName: string;
};

export type StageInput = {
  engineId: string;
  engineName: string;
  metric: Metric;
  threshold: number | null;
  calibration: CalibrationUse | null;
};

export type ForecastInput = {
  /** The force's target, false alerts per face processed (e.g. 1 / 6000). */
  targetPerFace: number;
  watchlist: { entries: number; templates: number };
  candidate: StageInput;
  verification: StageInput;
};

export type StageForecast = {
  engineId: string;
  engineName: string;
  metric: Metric;
  threshold: number;
  calibrationId: string;
  calibrationName: string;
  impostorPairs: number;
  genuinePairs: number;
  fmr: ObservedRate;
  fnmr: ObservedRate;
  /** Chance a passer-by passes this stage against some template: best estimate and upper bound. */
  perFace: { estimate: number; upper: number };
};

export type Forecast =
  | {
      complete: true;
      targetPerFace: number;
      watchlist: { entries: number; templates: number };
      candidate: StageForecast;
      verification: StageForecast;
      falseAlertsPerFace: { estimate: number; upper: number };
      missRate: { estimate: number; upper: number };
      /** The upper bound is within the target. */
      meetsTarget: boolean;
      /** The smallest false-alert rate this calibration could demonstrate for this watchlist at all. */
      calibrationFloorPerFace: number;
      summary: string;
    }
  | { complete: false; targetPerFace: number; watchlist: { entries: number; templates: number }; problems: string[]; summary: string };

/**
 * Confidence of each stage's FMR bound: two bounds at 97.5 % each fail together at most 5 % of
 * the time, so their minimum holds with 95 % confidence (Bonferroni).
 */
export const STAGE_CONFIDENCE = 0.975;

function stage(input: StageInput, templates: number, role: 'candidate distance' | 'verification threshold'): StageForecast | string {
  if (input.threshold === null) return `a ${role} (${input.engineName})`;
  if (!input.calibration) return `a calibration of ${input.engineName} (an admin runs one on the Recognition page)`;
  const fmr = fmrAt(input.calibration, input.threshold, STAGE_CONFIDENCE);
  const fnmr = fnmrAt(input.calibration, input.threshold);
  return {
    engineId: input.engineId,
    engineName: input.engineName,
    metric: input.metric,
    threshold: input.threshold,
    calibrationId: input.calibration.calibrationId,
    calibrationName: input.calibration.calibrationName,
    impostorPairs: input.calibration.impostor.pairs,
    genuinePairs: input.calibration.genuine.pairs,
    fmr,
    fnmr,
    perFace: { estimate: falseMatchPerFace(fmr.estimate, templates), upper: falseMatchPerFace(fmr.upperOneSided, templates) },
  };
}

/** The forecast of a plan, or what it still lacks for one. */
export function forecastPlan(input: ForecastInput): Forecast {
  const { targetPerFace, watchlist } = input;
  const templates = watchlist.templates;
  const candidate = stage(input.candidate, templates, 'candidate distance');
  const verification = stage(input.verification, templates, 'verification threshold');
  const problems = [candidate, verification].filter((s): s is string => typeof s === 'string');
  if (typeof candidate === 'string' || typeof verification === 'string') {
    return { complete: false, targetPerFace, watchlist, problems, summary: `No forecast yet: it needs ${problems.join(' and ')}.` };
  }
  const falseAlertsPerFace = {
    estimate: Math.min(candidate.perFace.estimate, verification.perFace.estimate),
    upper: Math.min(candidate.perFace.upper, verification.perFace.upper),
  };
  const missRate = {
    estimate: 1 - (1 - candidate.fnmr.estimate) * (1 - verification.fnmr.estimate),
    upper: Math.min(1, 1 - (1 - candidate.fnmr.upperOneSided) * (1 - verification.fnmr.upperOneSided)),
  };
  // With no false match observed at all, the bound is the calibration's resolution, not the recogniser's.
  const floor = Math.min(
    falseMatchPerFace(observedRate(0, candidate.impostorPairs, STAGE_CONFIDENCE).upperOneSided, templates),
    falseMatchPerFace(observedRate(0, verification.impostorPairs, STAGE_CONFIDENCE).upperOneSided, templates),
  );
  const meetsTarget = falseAlertsPerFace.upper <= targetPerFace;
  const forecast = { complete: true as const, targetPerFace, watchlist, candidate, verification, falseAlertsPerFace, missRate, meetsTarget, calibrationFloorPerFace: floor, summary: '' };
  const canMeet = meetsTarget || verificationCanMeet(input.verification, templates, targetPerFace);
  forecast.summary = summarise(forecast, canMeet);
  return forecast;
}

/** Whether some verification threshold in the recogniser's range would meet the target with this watchlist. */
function verificationCanMeet(input: StageInput, templates: number, targetPerFace: number): boolean {
  if (!input.calibration) return false;
  const range = thresholdRange({ id: input.engineId, metric: input.metric });
  return thresholdGrid(input.metric, range.min, range.max, range.step).some(
    (t) => falseMatchPerFace(fmrAt(input.calibration!, t, STAGE_CONFIDENCE).upperOneSided, templates) <= targetPerFace,
  );
}

// ─── words ──────────────────────────────────────────────────────────────────────────────

/**
 * "0.17" — a rate per face as false alerts per 1,000 faces, the unit the control room reads (two
 * significant figures when small; `extra` more decimals on request).
 */
export function perThousand(perFace: number, extra = 0): string {
  const value = perFace * 1000;
  if (value === 0) return '0';
  const digits = (value >= 10 ? 0 : value >= 1 ? 1 : Math.min(6, 1 - Math.floor(Math.log10(value)))) + extra;
  return value.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** "0.17 per 1,000 faces". */
export function perThousandFaces(perFace: number): string {
  return `${perThousand(perFace)} per 1,000 faces`;
}

/** "1 in 6,000 faces" for a target. */
export function oneIn(perFace: number): string {
  if (!(perFace > 0)) return 'never';
  return `1 in ${Math.round(1 / perFace).toLocaleString('en-GB')} faces`;
}

export function percent(rate: number): string {
  const value = rate * 100;
  return `${value.toLocaleString('en-GB', { maximumFractionDigits: value < 1 ? 2 : value < 10 ? 1 : 0 })} %`;
}

type CompleteForecast = Extract<Forecast, { complete: true }>;

/**
 * Two rates per 1,000 faces, rounded so that the words agree with the verdict: with as many more
 * decimals as it takes for a rate over the target not to print as the target itself.
 */
function distinctPerThousand(rate: number, target: number): [string, string] {
  let a = perThousand(rate);
  let b = perThousand(target);
  for (let extra = 1; rate !== target && a === b && extra <= 6; extra++) {
    a = perThousand(rate, extra);
    b = perThousand(target, extra);
  }
  return [a, b];
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

function summarise(f: CompleteForecast, canMeet: boolean): string {
  const people = `${count(f.watchlist.entries, 'person', 'people')} (${count(f.watchlist.templates, 'reference image', 'reference images')})`;
  const [upper, target] = distinctPerThousand(f.falseAlertsPerFace.upper, f.targetPerFace);
  const forecast = `at most ${upper} false alerts per 1,000 faces (best estimate ${perThousand(f.falseAlertsPerFace.estimate)})`;
  const targetWords = `${target} per 1,000 faces, ${oneIn(f.targetPerFace)}`;
  const misses = `It may miss about ${percent(f.missRate.estimate)} of true matches (at most ${percent(f.missRate.upper)}) on the calibration faces; expect more on live video.`;
  if (f.meetsTarget) return `With ${people}, the forecast is ${forecast}: within the target of ${targetWords}. ${misses}`;
  const limitedByCalibration = f.calibrationFloorPerFace > f.targetPerFace;
  const why = limitedByCalibration
    ? ` The calibration behind it is too small to show a rate that low for a watchlist this size (it cannot show less than ${perThousandFaces(f.calibrationFloorPerFace)}).`
    : '';
  if (canMeet) {
    return (
      `This plan does not meet the target at these thresholds: with ${people}, the forecast is ${forecast}, over the target of ${targetWords}. ` +
      `A stricter verification threshold would meet it (use the proposed thresholds). ${misses}`
    );
  }
  const lead =
    f.verification.engineId === FACEAPI_ENGINE_ID
      ? 'This plan cannot meet the target with the bundled face-api recogniser'
      : `This plan cannot meet the target with ${f.verification.engineName}`;
  return (
    `${lead}: with ${people}, the forecast is ${forecast}, over the target of ${targetWords}.${why} ` +
    'Narrow the watchlist or the categories, ask an admin to enable a stronger recogniser or calibrate on more faces — ' +
    `or record why the plan must go ahead anyway. ${misses}`
  );
}

// ─── proposals ──────────────────────────────────────────────────────────────────────────

export type Proposal = {
  candidateThreshold: number | null;
  verifyThreshold: number | null;
  /** Whether the proposed verification threshold meets the target. */
  meetsTarget: boolean;
  reason: string;
};

/**
 * The thresholds that meet the target with the fewest misses:
 * - verification: the loosest threshold whose false alerts per face stay within the target at
 *   the upper bound; when none does, the loosest at which no impostor pair of the calibration
 *   matched (the strictest claim the data can support), flagged as not meeting the target;
 * - candidate distance: the loosest face-api distance whose best-estimate share of faces sent
 *   for verification stays within CANDIDATE_RATE_BUDGET — the first stage's job is to miss
 *   nothing while keeping the verifier's load bounded.
 */
export function proposeThresholds(input: Omit<ForecastInput, 'candidate' | 'verification'> & { candidate: Omit<StageInput, 'threshold'>; verification: Omit<StageInput, 'threshold'> }): Proposal {
  const { targetPerFace, watchlist } = input;
  const templates = Math.max(1, watchlist.templates);
  const vcal = input.verification.calibration;
  const ccal = input.candidate.calibration;
  if (!vcal || !ccal) {
    const lacking = [!ccal ? input.candidate.engineName : null, !vcal ? input.verification.engineName : null].filter(Boolean);
    return { candidateThreshold: null, verifyThreshold: null, meetsTarget: false, reason: `No calibration of ${[...new Set(lacking)].join(' or ')} to propose from.` };
  }
  const vRange = thresholdRange({ id: input.verification.engineId, metric: input.verification.metric });
  const vGrid = thresholdGrid(input.verification.metric, vRange.min, vRange.max, vRange.step);
  let verifyThreshold: number | null = null;
  let meetsTarget = false;
  for (const t of vGrid) {
    if (falseMatchPerFace(fmrAt(vcal, t, STAGE_CONFIDENCE).upperOneSided, templates) <= targetPerFace) {
      verifyThreshold = t;
      meetsTarget = true;
    }
  }
  if (verifyThreshold === null) {
    for (const t of vGrid) if (fmrAt(vcal, t).k === 0) verifyThreshold = t;
    verifyThreshold ??= vGrid[0]!;
  }

  const cRange = thresholdRange({ id: input.candidate.engineId, metric: input.candidate.metric });
  const cGrid = thresholdGrid(input.candidate.metric, cRange.min, cRange.max, cRange.step);
  let candidateThreshold = cGrid[0]!;
  for (const t of cGrid) if (falseMatchPerFace(fmrAt(ccal, t).estimate, templates) <= CANDIDATE_RATE_BUDGET) candidateThreshold = t;
  // When one recogniser does both stages, a candidate stricter than the verification would make
  // verification pointless; keep the first stage at least as loose (even past the load budget).
  const stricter = (a: number, b: number) => (input.candidate.metric === 'cosine' ? a > b : a < b);
  if (input.candidate.engineId === input.verification.engineId && stricter(candidateThreshold, verifyThreshold)) candidateThreshold = verifyThreshold;

  const reason = meetsTarget
    ? 'The loosest thresholds that keep the forecast within the target.'
    : 'No threshold of this recogniser meets the target for this watchlist; these are the strictest the calibration supports.';
  return { candidateThreshold, verifyThreshold, meetsTarget, reason };
}
