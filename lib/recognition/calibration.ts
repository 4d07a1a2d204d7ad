import type { Metric } from './manifest';
import { observedRate, type ObservedRate } from './statistics';
import { score } from './vectors';

/**
 * A calibration measures how a recogniser behaves on a labelled set of faces: every pair of
 * images of the same person (genuine pairs) and of different people (impostor pairs) is scored,
 * and the two score distributions give the false match rate (FMR: impostor pairs that would
 * match) and false non-match rate (FNMR: genuine pairs that would not) at every threshold.
 *
 * Distributions are kept as fine histograms (1/1000 of a score unit), so a calibration of
 * millions of pairs is a few kilobytes and the rates at any threshold can be read back with
 * their confidence bounds. Nothing identifying is kept: no image, no name, no vector.
 *
 * Pure (calibrateInSlices only pauses for the event loop): used by the calibration job (worker
 * side computes the vectors), the forecast and tests.
 */

export type Histogram = {
  /** Lower edge of the first bin. */
  start: number;
  /** Width of every bin. */
  step: number;
  /** Pairs per bin; bin i holds scores in [start + i·step, start + (i + 1)·step). */
  counts: number[];
};

export type ScoreDistribution = {
  pairs: number;
  mean: number;
  sd: number;
  histogram: Histogram;
};

export type GroupCalibration = {
  group: string;
  identities: number;
  genuine: ScoreDistribution;
  /** Impostor pairs of two different people both in this group. */
  impostor: ScoreDistribution;
  dPrime: number | null;
};

export type EngineCalibration = {
  engineId: string;
  engineVersion: string;
  metric: Metric;
  genuine: ScoreDistribution;
  impostor: ScoreDistribution;
  /** Separation of the two distributions: |μg − μi| / √((σg² + σi²) / 2). Larger is better. */
  dPrime: number | null;
  groups: GroupCalibration[];
};

export type CalibrationResult = {
  identities: number;
  images: number;
  /** Images left out, by reason (e.g. "no face found": 3). Never their names. */
  skipped: Record<string, number>;
  engines: EngineCalibration[];
};

/** One analysed image of the labelled set: who it shows, and its vector from each engine. */
export type CalibrationSample = {
  identity: string;
  group?: string;
  /** By engine id. */
  vectors: Record<string, Float32Array>;
};

export type EngineSpec = { engineId: string; engineVersion: string; metric: Metric };

const BINS = 2000;

/**
 * Bins for a metric: cosine similarity −1..1; distances 0..2 (face-api's stay well under 1.5), or
 * up to twice the longest vector — no two vectors can be farther apart than that — when an
 * unnormalised recogniser makes them longer.
 */
function layoutFor(metric: Metric, longestVector: number): { start: number; step: number } {
  if (metric === 'cosine') return { start: -1, step: 2 / BINS };
  const top = Math.max(2, Math.ceil(2 * longestVector));
  return { start: 0, step: top / BINS };
}

/**
 * The bin of `value`: its place among the bins, snapped onto an edge it lies within 1e-6 bin units
 * of — the rule matchingPairs reads thresholds by — so that a score on an edge whose floating-point
 * division falls a hair short lands in the bin that edge opens, and a threshold at that edge
 * counts it (a similarity of exactly 0.5 matches at 0.5; dropping it into the bin below would
 * understate the FMR there). Clamped to the histogram.
 */
export function binOf(value: number, layout: { start: number; step: number }, bins = BINS): number {
  let at = (value - layout.start) / layout.step;
  if (Math.abs(at - Math.round(at)) < 1e-6) at = Math.round(at);
  return Math.min(bins - 1, Math.max(0, Math.floor(at)));
}

class DistributionBuilder {
  private readonly counts = new Array<number>(BINS).fill(0);
  private n = 0;
  private sum = 0;
  private sumSquares = 0;
  constructor(private readonly layout: { start: number; step: number }) {}

  add(value: number) {
    const bin = binOf(value, this.layout);
    this.counts[bin]!++;
    this.n++;
    this.sum += value;
    this.sumSquares += value * value;
  }

  build(): ScoreDistribution {
    const mean = this.n ? this.sum / this.n : 0;
    const variance = this.n > 1 ? Math.max(0, (this.sumSquares - this.n * mean * mean) / (this.n - 1)) : 0;
    return { pairs: this.n, mean, sd: Math.sqrt(variance), histogram: { ...this.layout, counts: [...this.counts] } };
  }
}

function dPrimeOf(genuine: ScoreDistribution, impostor: ScoreDistribution): number | null {
  if (genuine.pairs < 2 || impostor.pairs < 2) return null;
  const pooled = Math.sqrt((genuine.sd ** 2 + impostor.sd ** 2) / 2);
  return pooled > 0 ? Math.abs(genuine.mean - impostor.mean) / pooled : null;
}

/** How far the scoring has got: pairs scored so far of all pairs, across engines. */
export type ScoringProgress = { done: number; total: number };

/**
 * Scores every pair of samples with every engine and builds the distributions. Each identity
 * should have two or more images for genuine pairs; groups (optional) give per-group figures.
 * Cost: n²/2 comparisons per engine (5,000 images ≈ 12.5 million, a few seconds), so the server
 * runs it in slices (calibrateInSlices); this synchronous form is for scripts and tests.
 */
export function calibrate(samples: readonly CalibrationSample[], engines: readonly EngineSpec[], skipped: Record<string, number> = {}): CalibrationResult {
  const steps = scoringSteps(samples, engines, skipped);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Longest a slice of scoring may hold the event loop before letting requests and sockets in. */
const SLICE_MS = 20;

/**
 * calibrate() for the server: the same work and result, handing the event loop back at least
 * every `sliceMs` of scoring, and reporting the fraction of pairs scored (0–1) as it goes.
 */
export async function calibrateInSlices(
  samples: readonly CalibrationSample[],
  engines: readonly EngineSpec[],
  skipped: Record<string, number> = {},
  onProgress: (fraction: number) => void | Promise<void> = () => {},
  sliceMs = SLICE_MS,
): Promise<CalibrationResult> {
  const steps = scoringSteps(samples, engines, skipped);
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) {
      await onProgress(1);
      return step.value;
    }
    if (performance.now() - sliceStart < sliceMs) continue;
    await onProgress(step.value.total ? step.value.done / step.value.total : 1);
    await new Promise((resolve) => setImmediate(resolve));
    sliceStart = performance.now();
  }
}

/** Pairs scored between chances to pause: about a millisecond of work even for 512-number vectors. */
const PAIRS_PER_STEP = 4096;

/** The scoring itself, shared by both forms: yields every PAIRS_PER_STEP pairs so a caller can pause there. */
function* scoringSteps(
  samples: readonly CalibrationSample[],
  engines: readonly EngineSpec[],
  skipped: Record<string, number>,
): Generator<ScoringProgress, CalibrationResult, void> {
  const identities = new Set(samples.map((s) => s.identity));
  const groupOf = new Map<string, string>();
  for (const s of samples) if (s.group) groupOf.set(s.identity, s.group);
  const groups = [...new Set(groupOf.values())].sort();
  const usableFor = engines.map((engine) => samples.filter((s) => s.vectors[engine.engineId]));
  const total = usableFor.reduce((sum, usable) => sum + (usable.length * (usable.length - 1)) / 2, 0);
  let done = 0;

  const result: EngineCalibration[] = [];
  for (const [e, engine] of engines.entries()) {
    const usable = usableFor[e]!;
    let longest = 0;
    for (const sample of usable) longest = Math.max(longest, Math.hypot(...sample.vectors[engine.engineId]!));
    const layout = layoutFor(engine.metric, longest);
    const genuine = new DistributionBuilder(layout);
    const impostor = new DistributionBuilder(layout);
    const perGroup = new Map(groups.map((g) => [g, { genuine: new DistributionBuilder(layout), impostor: new DistributionBuilder(layout) }]));

    for (let i = 0; i < usable.length; i++) {
      const a = usable[i]!;
      const va = a.vectors[engine.engineId]!;
      const groupA = groupOf.get(a.identity);
      for (let j = i + 1; j < usable.length; j++) {
        const b = usable[j]!;
        const value = score(va, b.vectors[engine.engineId]!, engine.metric);
        const same = a.identity === b.identity;
        (same ? genuine : impostor).add(value);
        if (groupA && groupA === groupOf.get(b.identity)) {
          const g = perGroup.get(groupA)!;
          (same ? g.genuine : g.impostor).add(value);
        }
        if (++done % PAIRS_PER_STEP === 0) yield { done, total };
      }
    }
    const g = genuine.build();
    const im = impostor.build();
    result.push({
      ...engine,
      genuine: g,
      impostor: im,
      dPrime: dPrimeOf(g, im),
      groups: groups.map((group) => {
        const built = perGroup.get(group)!;
        const gg = built.genuine.build();
        const gi = built.impostor.build();
        const members = [...groupOf.entries()].filter(([, value]) => value === group).length;
        return { group, identities: members, genuine: gg, impostor: gi, dPrime: dPrimeOf(gg, gi) };
      }),
    });
  }
  return { identities: identities.size, images: samples.length, skipped, engines: result };
}

// ─── reading rates back ─────────────────────────────────────────────────────────────────

/**
 * Pairs that match at `threshold`. Scores are known only to their bin, so a bin the threshold
 * cuts is counted the cautious way: as matching when counting impostors (FMR is never
 * understated), as not matching when counting genuine pairs (FNMR is never understated). The
 * threshold is placed among the bins by index, so one lying on a bin edge (as every curve point
 * does) is treated as exactly there, whatever the floating-point rounding of the edge.
 */
function matchingPairs(h: Histogram, threshold: number, metric: Metric, cautious: 'count-cut-bin' | 'skip-cut-bin'): number {
  const n = h.counts.length;
  let at = (threshold - h.start) / h.step;
  if (Math.abs(at - Math.round(at)) < 1e-6) at = Math.round(at);
  let total = 0;
  for (let j = 0; j < n; j++) {
    const count = h.counts[j]!;
    if (count === 0) continue;
    // Bin j spans [j, j + 1) in these units. The last bin is closed above: for similarities it
    // holds a score of exactly 1 (the top of the range, which a threshold of 1 still passes); for
    // distances it also holds everything beyond the range.
    const last = j === n - 1;
    const high = last && metric !== 'cosine' ? Infinity : j + 1;
    const whollyMatching = metric === 'cosine' ? j >= at : high <= at;
    const partlyMatching = metric === 'cosine' ? high > at || (last && high >= at) : j <= at;
    if (whollyMatching || (cautious === 'count-cut-bin' && partlyMatching)) total += count;
  }
  return total;
}

/** False match rate at a threshold: impostor pairs that match, with the upper bound at `confidence`. */
export function fmrAt(calibration: Pick<EngineCalibration, 'impostor' | 'metric'>, threshold: number, confidence = 0.95): ObservedRate {
  const { impostor, metric } = calibration;
  return observedRate(matchingPairs(impostor.histogram, threshold, metric, 'count-cut-bin'), impostor.pairs, confidence);
}

/** False non-match rate at a threshold: genuine pairs that do not match, with the upper bound at `confidence`. */
export function fnmrAt(calibration: Pick<EngineCalibration, 'genuine' | 'metric'>, threshold: number, confidence = 0.95): ObservedRate {
  const { genuine, metric } = calibration;
  return observedRate(genuine.pairs - matchingPairs(genuine.histogram, threshold, metric, 'skip-cut-bin'), genuine.pairs, confidence);
}

export type CurvePoint = { threshold: number; fmr: number; fnmr: number; fmrUpper: number };

/**
 * The DET curve: FMR and FNMR at each bin edge where either changes, from strictest to loosest,
 * counted exactly as fmrAt and fnmrAt count (one pass of running sums, so a curve of thousands of
 * points costs a few milliseconds). Where no impostor matched, `fmrUpper` holds the one-sided
 * bound, so a log-scale plot can show "at most" instead of zero.
 */
export function detCurve(calibration: Pick<EngineCalibration, 'genuine' | 'impostor' | 'metric'>): CurvePoint[] {
  const { genuine, impostor, metric } = calibration;
  const h = impostor.histogram;
  const n = h.counts.length;
  const gi = genuine.histogram.counts;
  const ii = h.counts;
  // below[i] = pairs in bins 0..i-1.
  const below = (counts: readonly number[]) => {
    const out = new Array<number>(n + 1).fill(0);
    for (let i = 0; i < n; i++) out[i + 1] = out[i]! + counts[i]!;
    return out;
  };
  const gBelow = below(gi);
  const iBelow = below(ii);
  const points: CurvePoint[] = [];
  let last = '';
  for (let step = 0; step <= n; step++) {
    // Strict to loose: distances rise from the start; similarities fall from the top.
    const i = metric === 'cosine' ? n - step : step;
    const threshold = h.start + i * h.step;
    // At an edge: a distance matches bins below it (genuine), and also the bin it opens (impostors,
    // counted cautiously as in fmrAt); a similarity matches the bins from the edge up, and at the
    // very top (1) the closed last bin, cautiously, as in fmrAt.
    const impostorMatches = metric === 'cosine' ? impostor.pairs - iBelow[Math.min(i, n - 1)]! : iBelow[Math.min(n, i + 1)]!;
    // (The last distance bin is open above, so no finite distance holds all of it.)
    const genuineMatches = metric === 'cosine' ? genuine.pairs - gBelow[i]! : gBelow[Math.min(i, n - 1)]!;
    const key = `${impostorMatches}|${genuineMatches}`;
    if (key === last) continue;
    last = key;
    const fmr = impostor.pairs ? impostorMatches / impostor.pairs : 0;
    points.push({
      threshold: round(threshold, 4),
      fmr,
      fnmr: genuine.pairs ? 1 - genuineMatches / genuine.pairs : 0,
      fmrUpper: impostorMatches === 0 ? observedRate(0, impostor.pairs).upperOneSided : fmr,
    });
  }
  return points;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Thresholds every `step` inside [min, max], from strictest to loosest under `metric`. */
export function thresholdGrid(metric: Metric, min: number, max: number, step: number): number[] {
  const out: number[] = [];
  const count = Math.round((max - min) / step);
  for (let i = 0; i <= count; i++) out.push(round(min + i * step, 6));
  return metric === 'cosine' ? out.reverse() : out;
}
