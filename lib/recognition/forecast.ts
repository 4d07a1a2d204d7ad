import { fmrAt, fnmrAt, thresholdGrid, type EngineCalibration } from './calibration';
import { FACEAPI_ENGINE_ID, type Metric } from './manifest';
import { falseMatchPerFace, observedRate, type ObservedRate } from './statistics';

/**
 * How many false alerts a plan will raise, before anyone authorises it.
 *
 * Matching has two stages. The browser's face-api descriptor finds *candidates*: watchlist
 * templates within the plan's candidate distance. Each candidate is then *verified* on the
 * server by the verifying recogniser from the probe's own face crop, and only a face that passes
 * the verification threshold raises an alert. For one face sent for matching (a tracked face is
 * sent again every few seconds, so a passer-by is usually several) and a watchlist of N templates:
 *
 *   false alerts per face ≤ min( 1 − (1 − FMR₁)^N , 1 − (1 − FMR₂)^N )
 *
 * where FMR₁ and FMR₂ are the two stages' per-comparison false match rates at their thresholds.
 * An alert needs both stages to pass, so it cannot be likelier than either stage alone; the bound
 * holds however correlated the two recognisers are (assuming independence would multiply the two
 * and could promise far too much). Misses: a true match is lost if either stage misses it, so
 * the miss rate is at most FNMR₁ + FNMR₂ (the union bound, again whatever the correlation).
 *
 * Each stage's rates come from a stored calibration and are read at their one-sided 97.5 % upper
 * bounds: each bound fails at most 2.5 % of the time, so the chance that either fails is at most
 * 5 %, and the minimum (false alerts) or the sum (misses) of the two holds with at least 95 %
 * confidence — the verdict, "at most …". A calibration too small to show a low FMR cannot claim
 * one. Those bounds treat the calibration's pairs as independent, which they are not (every pair
 * of one person shares that face), so they are optimistic, most of all for a calibration of few
 * people. Beside the bounds the forecast gives a point estimate: for false alerts, the smaller of
 * the two stages' own estimates — a figure for comparison, not an estimate of the joint rate.
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
 * Why a verification threshold cannot be used with this verifier (outside its range), or null.
 * The one message for saving a plan, previewing its forecast and the plan editor's own check.
 */
export function verifyThresholdProblem(value: number, verifier: { id: string; metric: Metric }): string | null {
  const range = thresholdRange(verifier);
  if (inRange(value, range)) return null;
  const meaning = verifier.metric === 'cosine' ? 'a cosine similarity: higher is stricter' : 'a distance: lower is stricter';
  return `verifyThreshold must be between ${range.min} and ${range.max} for ${verifier.id} (${meaning})`;
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
  /** How many people the calibration measured (null: not known). */
  identities: number | null;
};

/**
 * Below this many people a calibration's figures are rough: its pairs share few faces, and the
 * bounds (which treat pairs as independent) flatter it. The forecast says so beside the figures.
 */
export const FEW_CALIBRATION_PEOPLE = 100;

export type StageInput = {
  engineId: string;
  engineName: string;
  metric: Metric;
  threshold: number | null;
  calibration: CalibrationUse | null;
  /**
   * Set when the plan's threshold for this stage was chosen for another recogniser (its id) than
   * the one that runs the stage here: the threshold means nothing for this one.
   */
  chosenFor?: string | null;
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
  /** People the calibration measured (null: not known; absent from forecasts recorded before it was kept). */
  identities?: number | null;
  fmr: ObservedRate;
  fnmr: ObservedRate;
  /** Chance a face sent for matching passes this stage against some template: point estimate and upper bound. */
  perFace: { estimate: number; upper: number };
};

export type Forecast =
  | {
      complete: true;
      targetPerFace: number;
      watchlist: { entries: number; templates: number };
      candidate: StageForecast;
      verification: StageForecast;
      /**
       * `upper`: at most this, with 95 % confidence (the verdict). `estimate`: the smaller of the two
       * stages' point estimates — shown for comparison, not an estimate of the joint rate.
       */
      falseAlertsPerFace: { estimate: number; upper: number };
      /** `estimate` assumes the stages miss independently; `upper` (the union bound) does not. */
      missRate: { estimate: number; upper: number };
      /** The upper bound is within the target. */
      meetsTarget: boolean;
      /** The smallest false-alert rate this calibration could demonstrate for this watchlist at all. */
      calibrationFloorPerFace: number;
      summary: string;
    }
  | { complete: false; targetPerFace: number; watchlist: { entries: number; templates: number }; problems: string[]; summary: string };

/**
 * Confidence of each stage's bounds: each of two bounds at 97.5 % fails at most 2.5 % of the
 * time, so the chance that either fails is at most 5 %, and a figure that needs both (their
 * minimum for false alerts, their sum for misses) holds with at least 95 % confidence (Bonferroni).
 */
export const STAGE_CONFIDENCE = 0.975;

/** The problem of a plan whose watchlists and categories hold nobody's photo yet. */
export const NO_REFERENCE_IMAGES = 'reference images to look for (no reference images in the chosen watchlists and categories yet)';

function stage(input: StageInput, templates: number, role: 'candidate distance' | 'verification threshold'): StageForecast | string {
  if (input.chosenFor) {
    return `a new ${role} (its ${role} was chosen for ${input.chosenFor}; this server verifies with ${input.engineId}: choose a new one)`;
  }
  if (input.threshold === null) return `a ${role} (${input.engineName})`;
  if (!input.calibration) return `a calibration of ${input.engineName} (an admin runs one on the Recognition page)`;
  const fmr = fmrAt(input.calibration, input.threshold, STAGE_CONFIDENCE);
  const fnmr = fnmrAt(input.calibration, input.threshold, STAGE_CONFIDENCE);
  return {
    engineId: input.engineId,
    engineName: input.engineName,
    metric: input.metric,
    threshold: input.threshold,
    calibrationId: input.calibration.calibrationId,
    calibrationName: input.calibration.calibrationName,
    impostorPairs: input.calibration.impostor.pairs,
    genuinePairs: input.calibration.genuine.pairs,
    identities: input.calibration.identities,
    fmr,
    fnmr,
    perFace: { estimate: falseMatchPerFace(fmr.estimate, templates), upper: falseMatchPerFace(fmr.upperOneSided, templates) },
  };
}

/**
 * The forecast of a plan, or what it still lacks for one. `alternatives: false` skips the search
 * for a verification threshold that would meet the target (a scan of the recogniser's range, only
 * for the advice in the summary): for checks at submission, authorisation and go-live.
 */
export function forecastPlan(input: ForecastInput, { alternatives = true }: { alternatives?: boolean } = {}): Forecast {
  const { targetPerFace, watchlist } = input;
  const templates = watchlist.templates;
  const candidate = stage(input.candidate, templates, 'candidate distance');
  const verification = stage(input.verification, templates, 'verification threshold');
  const problems = [candidate, verification].filter((s): s is string => typeof s === 'string');
  // With nobody to look for there is no false alert to forecast: "0, within the target" would be a promise about nothing.
  if (!(templates > 0)) problems.push(NO_REFERENCE_IMAGES);
  if (typeof candidate === 'string' || typeof verification === 'string' || problems.length > 0) {
    return { complete: false, targetPerFace, watchlist, problems, summary: `No forecast yet: it needs ${problems.join(' and ')}.` };
  }
  const falseAlertsPerFace = {
    estimate: Math.min(candidate.perFace.estimate, verification.perFace.estimate),
    upper: Math.min(candidate.perFace.upper, verification.perFace.upper),
  };
  const missRate = {
    estimate: 1 - (1 - candidate.fnmr.estimate) * (1 - verification.fnmr.estimate),
    upper: Math.min(1, candidate.fnmr.upperOneSided + verification.fnmr.upperOneSided),
  };
  // With no false match observed at all, the bound is the calibration's resolution, not the recogniser's.
  const floor = Math.min(
    falseMatchPerFace(observedRate(0, candidate.impostorPairs, STAGE_CONFIDENCE).upperOneSided, templates),
    falseMatchPerFace(observedRate(0, verification.impostorPairs, STAGE_CONFIDENCE).upperOneSided, templates),
  );
  const meetsTarget = falseAlertsPerFace.upper <= targetPerFace;
  const forecast = {
    complete: true as const,
    targetPerFace,
    watchlist,
    candidate,
    verification,
    falseAlertsPerFace,
    missRate,
    meetsTarget,
    calibrationFloorPerFace: floor,
    summary: '',
  };
  const canMeet = meetsTarget || (alternatives ? verificationCanMeet(input.verification, templates, targetPerFace) : null);
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
export function distinctPerThousand(rate: number, target: number): [string, string] {
  let a = perThousand(rate);
  let b = perThousand(target);
  for (let extra = 1; rate !== target && a === b && extra <= 6; extra++) {
    a = perThousand(rate, extra);
    b = perThousand(target, extra);
  }
  return [a, b];
}

const count = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`;

/** "(the smaller stage's point estimate: 0.05)": what the point figure beside a bound is. */
export function pointEstimateWords(perFace: number): string {
  return `the smaller stage's point estimate: ${perThousand(perFace)}`;
}

/**
 * "The calibration behind these figures was measured on only 40 people: treat as rough" when a
 * calibration behind the forecast measured fewer than FEW_CALIBRATION_PEOPLE people; null
 * otherwise (or when not known).
 */
export function fewPeopleNote(f: Pick<CompleteForecast, 'candidate' | 'verification'>): string | null {
  const few = new Map<string, number>();
  for (const s of [f.candidate, f.verification]) {
    if (typeof s.identities === 'number' && s.identities < FEW_CALIBRATION_PEOPLE) few.set(s.calibrationId, s.identities);
  }
  if (few.size === 0) return null;
  const counts = [...few.values()].map((n) => n.toLocaleString('en-GB'));
  return few.size === 1
    ? `The calibration behind these figures was measured on only ${counts[0]} people: treat as rough (its bounds treat pairs of the same faces as independent, which flatters a small calibration)`
    : `The calibrations behind these figures were measured on only ${counts.join(' and ')} people: treat as rough (their bounds treat pairs of the same faces as independent, which flatters a small calibration)`;
}

function summarise(f: CompleteForecast, canMeet: boolean | null): string {
  const people = `${count(f.watchlist.entries, 'person', 'people')} (${count(f.watchlist.templates, 'reference image', 'reference images')})`;
  const [upper, target] = distinctPerThousand(f.falseAlertsPerFace.upper, f.targetPerFace);
  const forecast = `at most ${upper} false alerts per 1,000 faces (${pointEstimateWords(f.falseAlertsPerFace.estimate)})`;
  const targetWords = `${target} per 1,000 faces, ${oneIn(f.targetPerFace)}`;
  const misses = `It may miss about ${percent(f.missRate.estimate)} of true matches (at most ${percent(f.missRate.upper)}) on the calibration faces; expect more on live video.`;
  if (f.meetsTarget) return `With ${people}, the forecast is ${forecast}: within the target of ${targetWords}. ${misses}`;
  const limitedByCalibration = f.calibrationFloorPerFace > f.targetPerFace;
  const why = limitedByCalibration
    ? ` The calibration behind it is too small to show a rate that low for a watchlist this size (it cannot show less than ${perThousandFaces(f.calibrationFloorPerFace)}).`
    : '';
  if (canMeet === null) {
    return `This plan does not meet the target: with ${people}, the forecast is ${forecast}, over the target of ${targetWords}.${why} ${misses}`;
  }
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
export function proposeThresholds(
  input: Omit<ForecastInput, 'candidate' | 'verification'> & { candidate: Omit<StageInput, 'threshold'>; verification: Omit<StageInput, 'threshold'> },
): Proposal {
  const { targetPerFace, watchlist } = input;
  const templates = watchlist.templates;
  // Thresholds depend on the watchlist's size: with nobody to look for, any number would be a guess.
  if (!(templates > 0)) {
    return {
      candidateThreshold: null,
      verifyThreshold: null,
      meetsTarget: false,
      reason: 'No reference images in the chosen watchlists and categories yet: nothing to propose thresholds for.',
    };
  }
  const vcal = input.verification.calibration;
  const ccal = input.candidate.calibration;
  if (!vcal || !ccal) {
    const lacking = [!ccal ? input.candidate.engineName : null, !vcal ? input.verification.engineName : null].filter(Boolean);
    return {
      candidateThreshold: null,
      verifyThreshold: null,
      meetsTarget: false,
      reason: `No calibration of ${[...new Set(lacking)].join(' or ')} to propose from.`,
    };
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
