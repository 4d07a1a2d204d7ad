import { describe, expect, it } from 'vitest';
import { binOf, calibrate, detCurve, fmrAt, fnmrAt, type CalibrationSample, type EngineCalibration } from '@/lib/recognition/calibration';
import {
  CANDIDATE_RATE_BUDGET,
  NO_REFERENCE_IMAGES,
  STAGE_CONFIDENCE,
  distinctPerThousand,
  fewPeopleNote,
  forecastPlan,
  oneIn,
  perThousand,
  proposeThresholds,
  verifyThresholdProblem,
  type CalibrationUse,
  type StageInput,
} from '@/lib/recognition/forecast';
import { falseMatchPerFace, fmrAllowedFor, observedRate, rateInterval } from '@/lib/recognition/statistics';
import { bytesToVector, passes, score, unitLength, vectorToBytes } from '@/lib/recognition/vectors';

describe('false matches per face: 1 − (1 − FMR)^N', () => {
  it('matches hand-computed values', () => {
    // The table: FMR 1e-2 with 100 people → 63.4 %; 1.1e-3 with 1,000 → 66.7 %.
    expect(falseMatchPerFace(1e-2, 100)).toBeCloseTo(1 - 0.99 ** 100, 12);
    expect(falseMatchPerFace(1e-2, 100)).toBeCloseTo(0.634, 3);
    expect(falseMatchPerFace(1.1e-3, 1000)).toBeCloseTo(0.667, 3);
    expect(falseMatchPerFace(2e-4, 10_000)).toBeCloseTo(0.865, 3);
    expect(falseMatchPerFace(0, 10_000)).toBe(0);
    expect(falseMatchPerFace(1, 3)).toBe(1);
    expect(falseMatchPerFace(0.3, 0)).toBe(0);
  });

  it('stays exact for tiny rates where 1 − (1 − p)^N loses every digit in floating point', () => {
    // The Met's figure: 1 in 6,000 faces at 10,000 people needs FMR ≈ 1.67e-8.
    // Np − C(N,2)p² + C(N,3)p³: the series to its third term.
    const [n, p] = [10_000, 1.7e-8];
    expect(falseMatchPerFace(p, n)).toBeCloseTo(n * p - ((n * (n - 1)) / 2) * p ** 2 + ((n * (n - 1) * (n - 2)) / 6) * p ** 3, 15);
    expect(fmrAllowedFor(1 / 6000, 10_000)).toBeCloseTo(1.6668e-8, 11);
    expect(falseMatchPerFace(fmrAllowedFor(1 / 6000, 10_000), 10_000)).toBeCloseTo(1 / 6000, 14);
    expect(fmrAllowedFor(0.5, 0)).toBe(1);
  });

  it('refuses what is not a probability', () => {
    expect(() => falseMatchPerFace(1.5, 3)).toThrow(RangeError);
    expect(() => falseMatchPerFace(0.1, -1)).toThrow(RangeError);
  });
});

describe('confidence bounds of an observed rate', () => {
  it('gives the rule of three for no events: 0 of 24,628 is at most 1.2e-4', () => {
    const rate = observedRate(0, 24_628);
    expect(rate.estimate).toBe(0);
    expect(rate.upperOneSided).toBeCloseTo(1 - 0.05 ** (1 / 24_628), 9);
    expect(rate.upperOneSided).toBeCloseTo(1.216e-4, 7);
  });

  it('matches published exact (Clopper–Pearson) intervals', () => {
    const rate = rateInterval(5, 100); // 95 %: 0.0164 – 0.1128
    expect(rate.lower).toBeCloseTo(0.01643, 4);
    expect(rate.upper).toBeCloseTo(0.11284, 4);
    const all = rateInterval(10, 10);
    expect(all.upper).toBe(1);
    expect(all.lower).toBeCloseTo(0.6915, 4);
    expect(observedRate(5, 100).upperOneSided).toBeCloseTo(0.1023, 4); // one-sided 95 %
  });

  it('stays sound for large counts (Wilson bound) and refuses impossible counts', () => {
    const rate = rateInterval(30_000, 1_000_000);
    expect(rate.lower).toBeLessThan(0.03);
    expect(rate.upper).toBeGreaterThan(0.03);
    expect(rate.upper - rate.lower).toBeLessThan(0.001);
    expect(() => observedRate(3, 2)).toThrow(RangeError);
    expect(() => observedRate(-1, 2)).toThrow(RangeError);
    expect(observedRate(0, 0)).toMatchObject({ estimate: 0, upperOneSided: 1 });
  });
});

describe('vectors', () => {
  it('stores float32 values little-endian and refuses the wrong length or non-finite values', () => {
    const v = Float32Array.from([1, -2.5, 0.125]);
    const bytes = vectorToBytes(v);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 0x80, 0x3f]);
    expect(bytesToVector(bytes, 3)).toEqual(v);
    expect(() => bytesToVector(bytes, 4)).toThrow(/16 bytes \(4 numbers\), not 12/);
    expect(() => vectorToBytes(Float32Array.from([NaN]))).toThrow(RangeError);
  });

  it('compares by metric: distance lower is closer, similarity higher is closer', () => {
    const a = unitLength(Float32Array.from([3, 4]));
    const b = unitLength(Float32Array.from([4, 3]));
    expect(score(a, b, 'cosine')).toBeCloseTo(24 / 25, 6);
    expect(score(a, b, 'euclidean')).toBeCloseTo(Math.hypot(0.6 - 0.8, 0.8 - 0.6), 6);
    expect(passes(0.3, 0.4, 'euclidean')).toBe(true);
    expect(passes(0.3, 0.4, 'cosine')).toBe(false);
    expect(passes(0.4, 0.4, 'cosine')).toBe(true);
    expect(() => score(a, Float32Array.from([1]), 'cosine')).toThrow(RangeError);
  });
});

// ─── calibrations ─────────────────────────────────────────────────────────────────────────

/** Vectors on a circle: people at given angles, photos spread a little around them. */
function samples(): CalibrationSample[] {
  const at = (deg: number) => Float32Array.from([Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)]);
  return [
    { identity: 'ann', group: 'g1', vectors: { e: at(0) } },
    { identity: 'ann', group: 'g1', vectors: { e: at(10) } },
    { identity: 'bob', group: 'g1', vectors: { e: at(90) } },
    { identity: 'bob', group: 'g1', vectors: { e: at(95) } },
    { identity: 'cy', group: 'g2', vectors: { e: at(200) } },
    { identity: 'cy', group: 'g2', vectors: { e: at(230) } },
  ];
}

describe('calibration', () => {
  const result = calibrate(samples(), [{ engineId: 'e', engineVersion: '1', metric: 'cosine' }]);
  const engine = result.engines[0]!;

  it('scores every pair once: genuine within a person, impostor across people', () => {
    expect(result).toMatchObject({ identities: 3, images: 6 });
    expect(engine.genuine.pairs).toBe(3);
    expect(engine.impostor.pairs).toBe(12);
    expect(engine.dPrime).toBeGreaterThan(2);
  });

  it('reads FMR and FNMR back at any threshold, cautiously at a bin the threshold cuts', () => {
    // Genuine similarities: cos 10° = .985, cos 5° = .996, cos 30° = .866. The closest impostors: cos 80° = .174, cos 85° = .087.
    expect(fnmrAt(engine, 0.9)).toMatchObject({ k: 1, n: 3 });
    expect(fnmrAt(engine, 0.8)).toMatchObject({ k: 0, n: 3 });
    expect(fmrAt(engine, 0.5)).toMatchObject({ k: 0, n: 12 });
    expect(fmrAt(engine, 0.1)).toMatchObject({ k: 1, n: 12 });
    expect(fmrAt(engine, 0.17)).toMatchObject({ k: 1 }); // .1736 lies in the bin 0.17 cuts: counted as a match
    expect(fmrAt(engine, 0.175)).toMatchObject({ k: 0 });
  });

  it('gives per-group figures from pairs within each group only', () => {
    const [g1, g2] = engine.groups;
    expect(g1).toMatchObject({ group: 'g1', identities: 2 });
    expect(g1!.genuine.pairs).toBe(2);
    expect(g1!.impostor.pairs).toBe(4);
    expect(g2!.impostor.pairs).toBe(0);
  });

  it('draws a DET curve from strict to loose, FMR rising as FNMR falls, counted as fmrAt and fnmrAt count', () => {
    for (const metric of ['cosine', 'euclidean'] as const) {
      const e = metric === 'cosine' ? engine : calibrate(samples(), [{ engineId: 'e', engineVersion: '1', metric }]).engines[0]!;
      const curve = detCurve(e);
      expect(curve[0]!.fnmr).toBe(1);
      expect(curve.at(-1)!.fmr).toBe(1);
      for (let i = 1; i < curve.length; i++) {
        expect(curve[i]!.fmr).toBeGreaterThanOrEqual(curve[i - 1]!.fmr);
        expect(curve[i]!.fnmr).toBeLessThanOrEqual(curve[i - 1]!.fnmr);
      }
      for (const point of curve) {
        expect(point.fmr, `${metric} FMR at ${point.threshold}`).toBeCloseTo(fmrAt(e, point.threshold).estimate, 12);
        expect(point.fnmr, `${metric} FNMR at ${point.threshold}`).toBeCloseTo(fnmrAt(e, point.threshold).estimate, 12);
        if (point.fmr === 0) expect(point.fmrUpper).toBeCloseTo(fmrAt(e, point.threshold).upperOneSided, 12);
      }
    }
  });

  it('counts a similarity of exactly 1 the same way on the curve and at a threshold', () => {
    const twins: CalibrationSample[] = [
      { identity: 'x', vectors: { e: Float32Array.from([1, 0]) } },
      { identity: 'y', vectors: { e: Float32Array.from([1, 0]) } },
      { identity: 'x', vectors: { e: Float32Array.from([0.8, 0.6]) } },
    ];
    const e = calibrate(twins, [{ engineId: 'e', engineVersion: '1', metric: 'cosine' }]).engines[0]!;
    expect(fmrAt(e, 1).k).toBe(1); // the two identical vectors of different people match at 1
    for (const point of detCurve(e)) expect(point.fmr).toBeCloseTo(fmrAt(e, point.threshold).estimate, 12);
  });

  it('sizes the distance histogram for unnormalised vectors, so no pair is clamped', () => {
    const far = (identity: string, x: number): CalibrationSample => ({ identity, vectors: { e: Float32Array.from([x, 0]) } });
    const e = calibrate([far('a', 0), far('a', 0.1), far('b', 3), far('b', 3.1), far('c', -2.5)], [{ engineId: 'e', engineVersion: '1', metric: 'euclidean' }])
      .engines[0]!;
    // The farthest pair is 5.6 apart; the histogram reaches 2 × the longest vector (6.2).
    expect(e.impostor.histogram.start + e.impostor.histogram.step * e.impostor.histogram.counts.length).toBeGreaterThanOrEqual(5.6);
    expect(fmrAt(e, 4).k).toBe(6); // a–b: 3, 3.1, 2.9, 3; a–c: 2.5, 2.6; not b–c at 5.5 and 5.6
    expect(fmrAt(e, 5.7).k).toBe(8);
  });

  it('bins a score on a bin edge in the bin that edge opens, whatever the rounding, so the FMR there is never understated', () => {
    const layout = { start: -1, step: 2 / 2000 };
    // (−0.937 + 1) / 0.001 is 62.99999999999994 in floating point: without the snap it would fall in bin 62.
    expect((-0.937 - layout.start) / layout.step).toBeLessThan(63);
    expect(binOf(-0.937, layout)).toBe(63);
    expect(binOf(-0.937 - 1e-7, layout)).toBe(62); // a real difference is kept
    expect(binOf(-1.5, layout)).toBe(0);
    expect(binOf(1, layout)).toBe(1999);
    // An impostor pair scoring exactly −0.937 matches at a similarity threshold of −0.937 (at or over it), and is counted so.
    const counts = new Array<number>(2000).fill(0);
    counts[binOf(-0.937, layout)]! += 1;
    const histogram = { ...layout, counts };
    const calibration = { metric: 'cosine', impostor: { pairs: 1, mean: -0.937, sd: 0, histogram } } as Pick<EngineCalibration, 'impostor' | 'metric'>;
    expect(fmrAt(calibration, -0.937).k).toBe(1);
    expect(fmrAt(calibration, -0.936).k).toBe(0);
  });

  it('handles distances too, and keeps nothing but counts', () => {
    const distances = calibrate(samples(), [{ engineId: 'e', engineVersion: '1', metric: 'euclidean' }]).engines[0]!;
    expect(distances.genuine.histogram.start).toBe(0);
    expect(fmrAt(distances, 0.2)).toMatchObject({ k: 0 });
    expect(JSON.stringify(result)).not.toMatch(/ann|bob/);
  });
});

// ─── forecast ─────────────────────────────────────────────────────────────────────────────

/**
 * A calibration built from counts: `impostors` impostor pairs of which `falseAt[t]` match at
 * distance t, and 1,000 genuine pairs of which `missesAt[t]` do not.
 */
function syntheticCalibration(
  id: string,
  engineId: string,
  bins: { at: number; impostors: number; genuine: number }[],
  impostorPairs: number,
  identities: number | null = 500,
): CalibrationUse {
  const step = 0.001;
  const counts = () => new Array(2000).fill(0) as number[];
  const genuine = counts();
  const impostor = counts();
  let g = 0;
  let i = 0;
  for (const b of bins) {
    genuine[Math.round(b.at / step)]! += b.genuine;
    impostor[Math.round(b.at / step)]! += b.impostors;
    g += b.genuine;
    i += b.impostors;
  }
  impostor[1500]! += impostorPairs - i; // the rest far away
  const dist = (histogram: number[], pairs: number) => ({ pairs, mean: 0, sd: 0, histogram: { start: 0, step, counts: histogram } });
  return {
    engineId,
    metric: 'euclidean',
    genuine: dist(genuine, g),
    impostor: dist(impostor, impostorPairs),
    calibrationId: id,
    calibrationName: id,
    identities,
  } as CalibrationUse;
}

const faceapi = syntheticCalibration(
  'cal-faceapi',
  'faceapi-128',
  [
    { at: 0.3, impostors: 0, genuine: 700 },
    { at: 0.42, impostors: 0, genuine: 200 },
    { at: 0.48, impostors: 10, genuine: 80 },
    { at: 0.58, impostors: 1000, genuine: 20 },
  ],
  100_000,
);

const stage = (calibration: CalibrationUse | null, threshold: number | null): StageInput => ({
  engineId: 'faceapi-128',
  engineName: 'face-api',
  metric: 'euclidean',
  threshold,
  calibration,
});

describe('forecast of a plan', () => {
  it('computes false alerts per face from the calibration, at the upper bound, and misses', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 5, templates: 10 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.5),
    });
    if (!f.complete) throw new Error('expected a forecast');
    // Verification at 0.5: 10 impostor pairs in 100,000 match → FMR 1e-4; N = 10 templates.
    expect(f.verification.fmr).toMatchObject({ k: 10, n: 100_000, estimate: 1e-4 });
    expect(f.falseAlertsPerFace.estimate).toBeCloseTo(1 - (1 - 1e-4) ** 10, 12);
    // Each stage's bound at 97.5 %, so that the smaller of the two holds with 95 % confidence.
    expect(f.falseAlertsPerFace.upper).toBeCloseTo(1 - (1 - observedRate(10, 100_000, 0.975).upperOneSided) ** 10, 12);
    // The candidate stage (0.6: 1,010 matches) is looser, so the verification decides.
    expect(f.falseAlertsPerFace.upper).toBe(f.verification.perFace.upper);
    // Misses: 20 of 1,000 genuine pairs are beyond 0.5, none beyond 0.6 → 2 %.
    expect(f.missRate.estimate).toBeCloseTo(0.02, 12);
    // At most: the union bound of the two stages' misses, each at 97.5 % (so the sum holds at 95 %).
    expect(f.verification.fnmr.upperOneSided).toBeCloseTo(observedRate(20, 1000, STAGE_CONFIDENCE).upperOneSided, 12);
    expect(f.missRate.upper).toBeCloseTo(f.candidate.fnmr.upperOneSided + f.verification.fnmr.upperOneSided, 12);
    expect(f.missRate.upper).toBeGreaterThan(1 - (1 - f.candidate.fnmr.upperOneSided) * (1 - f.verification.fnmr.upperOneSided));
    expect(f.meetsTarget).toBe(false);
    expect(f.summary).toMatch(/over the target of 0\.17 per 1,000 faces, 1 in 6,000 faces/);
    // A stricter verification threshold (0.47: no impostor pair) would not meet it either with 10 images at this size.
    expect(f.summary).toMatch(/cannot meet the target with the bundled face-api recogniser/);
  });

  it('says "does not meet … at these thresholds" when a stricter one would, and never rounds over to equal', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 1000,
      watchlist: { entries: 1, templates: 1 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.6),
    });
    if (!f.complete) throw new Error('expected a forecast');
    expect(f.meetsTarget).toBe(false);
    expect(f.summary).toMatch(/does not meet the target at these thresholds.*A stricter verification threshold would meet it/);
    expect(f.summary).toMatch(/1 person \(1 reference image\)/);
    // Just over the target: the printed figures must differ.
    const tight = forecastPlan({
      targetPerFace: 0.999 * f.falseAlertsPerFace.upper,
      watchlist: { entries: 1, templates: 1 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.6),
    });
    if (!tight.complete) throw new Error('expected a forecast');
    const [, upper, target] = /at most ([\d.,]+) false alerts per 1,000 faces.*over the target of ([\d.,]+) per 1,000/.exec(tight.summary)!;
    expect(upper).not.toBe(target);
  });

  it('meets a target the figures allow, and says so in words', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 100,
      watchlist: { entries: 5, templates: 10 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.45),
    });
    expect(f.complete && f.meetsTarget).toBe(true);
    expect(f.summary).toMatch(/within the target of 10 per 1,000 faces/);
  });

  it('says when the calibration is too small to show a rate that low', () => {
    const small = syntheticCalibration('small', 'faceapi-128', [{ at: 0.3, impostors: 0, genuine: 100 }], 1000);
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 100, templates: 100 },
      candidate: stage(small, 0.5),
      verification: stage(small, 0.4),
    });
    if (!f.complete) throw new Error('expected a forecast');
    expect(f.falseAlertsPerFace.estimate).toBe(0);
    expect(f.meetsTarget).toBe(false);
    expect(f.calibrationFloorPerFace).toBeCloseTo(falseMatchPerFace(observedRate(0, 1000, 0.975).upperOneSided, 100), 12);
    expect(f.summary).toMatch(/cannot meet the target with the bundled face-api recogniser.*too small to show a rate that low/);
  });

  it('calls its point figure the smaller stage’s point estimate, not a best estimate of the joint rate', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 5, templates: 10 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.5),
    });
    if (!f.complete) throw new Error('expected a forecast');
    expect(f.summary).toMatch(/\(the smaller stage's point estimate: [\d.]+\)/);
    expect(f.summary).not.toMatch(/best estimate/);
  });

  it('caps the miss bound at 1', () => {
    const blind = syntheticCalibration('blind', 'faceapi-128', [{ at: 0.69, impostors: 0, genuine: 10 }], 1000);
    const f = forecastPlan({ targetPerFace: 1, watchlist: { entries: 1, templates: 1 }, candidate: stage(blind, 0.3), verification: stage(blind, 0.3) });
    expect(f.complete && f.missRate.upper).toBe(1);
  });

  it('has no forecast — not "0, within the target" — for a watchlist with no reference images, and proposes nothing', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 0, templates: 0 },
      candidate: stage(faceapi, 0.6),
      verification: stage(faceapi, 0.45),
    });
    expect(f.complete).toBe(false);
    expect(!f.complete && f.problems).toEqual([NO_REFERENCE_IMAGES]);
    expect(f.summary).toMatch(/no reference images in the chosen watchlists and categories yet/);
    const p = proposeThresholds({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 0, templates: 0 },
      candidate: { engineId: 'faceapi-128', engineName: 'face-api', metric: 'euclidean', calibration: faceapi },
      verification: { engineId: 'faceapi-128', engineName: 'face-api', metric: 'euclidean', calibration: faceapi },
    });
    expect(p).toMatchObject({ candidateThreshold: null, verifyThreshold: null, meetsTarget: false });
    expect(p.reason).toMatch(/No reference images/);
  });

  it('has no forecast for a verification threshold chosen for another recogniser, naming both', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 5, templates: 10 },
      candidate: stage(faceapi, 0.6),
      verification: { ...stage(faceapi, 0.45), engineId: 'arcface-r50', engineName: 'ArcFace', chosenFor: 'faceapi-128' },
    });
    expect(f.complete).toBe(false);
    expect(!f.complete && f.problems).toEqual([
      'a new verification threshold (its verification threshold was chosen for faceapi-128; this server verifies with arcface-r50: choose a new one)',
    ]);
  });

  it('for checks, skips the search for a threshold that would meet the target and says only that it does not', () => {
    const input = { targetPerFace: 1 / 1000, watchlist: { entries: 1, templates: 1 }, candidate: stage(faceapi, 0.6), verification: stage(faceapi, 0.6) };
    const advised = forecastPlan(input);
    const checked = forecastPlan(input, { alternatives: false });
    if (!advised.complete || !checked.complete) throw new Error('expected forecasts');
    expect(checked.falseAlertsPerFace).toEqual(advised.falseAlertsPerFace);
    expect(checked.meetsTarget).toBe(false);
    expect(advised.summary).toMatch(/A stricter verification threshold would meet it/);
    expect(checked.summary).toMatch(/^This plan does not meet the target: with 1 person/);
    expect(checked.summary).not.toMatch(/stricter|cannot meet/);
  });

  it('says when a calibration of fewer than 100 people is behind the figures', () => {
    const few = syntheticCalibration('few', 'faceapi-128', [{ at: 0.3, impostors: 0, genuine: 100 }], 1000, 40);
    const f = forecastPlan({ targetPerFace: 1 / 6000, watchlist: { entries: 1, templates: 1 }, candidate: stage(few, 0.5), verification: stage(few, 0.4) });
    if (!f.complete) throw new Error('expected a forecast');
    expect(f.verification.identities).toBe(40);
    expect(fewPeopleNote(f)).toMatch(/^The calibration behind these figures was measured on only 40 people: treat as rough/);
    const many = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 1, templates: 1 },
      candidate: stage(faceapi, 0.5),
      verification: stage(faceapi, 0.4),
    });
    expect(many.complete && fewPeopleNote(many)).toBeNull();
    // Unknown (a forecast recorded before the count was kept): nothing claimed either way.
    const unknown = syntheticCalibration('unknown', 'faceapi-128', [{ at: 0.3, impostors: 0, genuine: 100 }], 1000, null);
    const u = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 1, templates: 1 },
      candidate: stage(unknown, 0.5),
      verification: stage(unknown, 0.4),
    });
    expect(u.complete && fewPeopleNote(u)).toBeNull();
    // Two small calibrations, one per stage: both counts.
    const other = { ...few, calibrationId: 'other', identities: 60 };
    const two = forecastPlan({ targetPerFace: 1 / 6000, watchlist: { entries: 1, templates: 1 }, candidate: stage(few, 0.5), verification: stage(other, 0.4) });
    expect(two.complete && fewPeopleNote(two)).toMatch(/measured on only 40 and 60 people: treat as rough/);
  });

  it('prints a rate over the target and the target as different figures', () => {
    const target = 1 / 6000;
    const [a, b] = distinctPerThousand(target * 1.001, target);
    expect(a).not.toBe(b);
    expect(distinctPerThousand(target, target)).toEqual(['0.17', '0.17']);
    expect(distinctPerThousand(0.0123, target)).toEqual(['12', '0.17']);
  });

  it('refuses a verification threshold outside its recogniser’s range, naming it', () => {
    expect(verifyThresholdProblem(0.45, { id: 'faceapi-128', metric: 'euclidean' })).toBeNull();
    expect(verifyThresholdProblem(0.9, { id: 'faceapi-128', metric: 'euclidean' })).toBe(
      'verifyThreshold must be between 0.3 and 0.7 for faceapi-128 (a distance: lower is stricter)',
    );
    expect(verifyThresholdProblem(-0.5, { id: 'arcface', metric: 'cosine' })).toMatch(
      /between 0 and 0\.95 for arcface \(a cosine similarity: higher is stricter\)/,
    );
  });

  it('lists what it lacks: thresholds, calibrations', () => {
    const f = forecastPlan({
      targetPerFace: 1 / 6000,
      watchlist: { entries: 1, templates: 1 },
      candidate: stage(null, 0.5),
      verification: stage(faceapi, null),
    });
    expect(f.complete).toBe(false);
    expect(!f.complete && f.problems).toEqual(['a calibration of face-api (an admin runs one on the Recognition page)', 'a verification threshold (face-api)']);
  });

  it('words its figures for people', () => {
    expect(perThousand(1 / 6000)).toBe('0.17');
    expect(perThousand(0.0123)).toBe('12');
    expect(perThousand(0.00456)).toBe('4.6');
    expect(oneIn(1 / 6000)).toBe('1 in 6,000 faces');
  });
});

describe('proposed thresholds', () => {
  const input = (templates: number, targetPerFace = 1 / 6000) => ({
    targetPerFace,
    watchlist: { entries: templates, templates },
    candidate: { engineId: 'faceapi-128', engineName: 'face-api', metric: 'euclidean' as const, calibration: faceapi },
    verification: { engineId: 'faceapi-128', engineName: 'face-api', metric: 'euclidean' as const, calibration: faceapi },
  });

  it('proposes the loosest verification threshold that meets the target', () => {
    const p = proposeThresholds(input(1, 1 / 100));
    expect(p.meetsTarget).toBe(true);
    // Up to 0.47 no impostor matches (upper bound 4e-5 ≤ 1e-2); from 0.48 FMR 1e-4 still ≤ 1e-2, until 0.58.
    expect(p.verifyThreshold).toBe(0.57);
    const f = forecastPlan({ ...input(1, 1 / 100), candidate: stage(faceapi, p.candidateThreshold), verification: stage(faceapi, p.verifyThreshold) });
    expect(f.complete && f.meetsTarget).toBe(true);
  });

  it('when nothing meets the target, proposes the loosest threshold with no impostor match, flagged', () => {
    const p = proposeThresholds(input(10_000));
    expect(p.meetsTarget).toBe(false);
    expect(p.verifyThreshold).toBe(0.47);
    expect(p.reason).toMatch(/No threshold of this recogniser meets the target/);
  });

  it('keeps the candidate stage within its verification budget, and no stricter than verification', () => {
    const p = proposeThresholds(input(1000));
    const rate = falseMatchPerFace(fmrAt(faceapi, p.candidateThreshold!).estimate, 1000);
    expect(rate).toBeLessThanOrEqual(CANDIDATE_RATE_BUDGET);
    expect(p.candidateThreshold!).toBeGreaterThanOrEqual(p.verifyThreshold!);
  });

  it('cannot propose without calibrations', () => {
    expect(proposeThresholds({ ...input(1), verification: { ...input(1).verification, calibration: null } })).toMatchObject({
      verifyThreshold: null,
      meetsTarget: false,
    });
  });
});
