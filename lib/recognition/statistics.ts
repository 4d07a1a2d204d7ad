/**
 * The few statistics accuracy figures need, written out so that what they claim is checkable:
 * confidence bounds for a rate observed as k events in n trials, and the chance that one face
 * falsely matches some template of a watchlist.
 *
 * Pure.
 */

/** A rate observed as `k` events in `n` trials, with its best estimate and upper bound. */
export type ObservedRate = {
  k: number;
  n: number;
  /** k / n (0 when n is 0). */
  estimate: number;
  /**
   * One-sided upper bound, 95 % unless asked otherwise: "at most this, with 95 % confidence". What
   * a forecast that must not over-promise uses; with k = 0 it is about 3 / n (the "rule of three").
   */
  upperOneSided: number;
};

function checkCounts(k: number, n: number) {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new RangeError(`A rate needs whole counts with 0 ≤ k ≤ n (got k = ${k}, n = ${n}).`);
  }
}

/** The rate and its one-sided upper bound at `confidence` (0.95 by default). */
export function observedRate(k: number, n: number, confidence = 0.95): ObservedRate {
  checkCounts(k, n);
  if (n === 0) return { k, n, estimate: 0, upperOneSided: 1 };
  return { k, n, estimate: k / n, upperOneSided: upperBound(k, n, 1 - confidence) };
}

/** The exact (Clopper–Pearson) two-sided 95 % interval of k events in n trials. */
export function rateInterval(k: number, n: number): { lower: number; upper: number } {
  checkCounts(k, n);
  if (n === 0) return { lower: 0, upper: 1 };
  return { lower: lowerBound(k, n, 0.025), upper: upperBound(k, n, 0.025) };
}

/**
 * Clopper–Pearson bounds: the upper bound is the p at which P(X ≤ k) = tail, the lower the p at
 * which P(X ≥ k) = tail, found by bisection on the binomial distribution in log space, so that n
 * in the millions and tiny p stay exact. Only the shorter tail is ever summed: a bound for k
 * events is 1 − the opposite bound for the n − k non-events. From 200 on both sides the Wilson
 * score bound is used instead: it agrees to a fraction of a percent there and keeps the cost
 * bounded (the exact sum grows with the count).
 */
function upperBound(k: number, n: number, tail: number): number {
  if (k === n) return 1;
  if (k > n / 2) return 1 - lowerBound(n - k, n, tail);
  if (k > 200) return wilsonBound(k, n, tail, 'upper');
  // P(X ≤ k) falls as p rises; the bound lies above the estimate.
  return bisect(k / n, 1, (p) => binomialCdf(k, n, p) > tail);
}

function lowerBound(k: number, n: number, tail: number): number {
  if (k === 0) return 0;
  if (k > n / 2) return 1 - upperBound(n - k, n, tail);
  if (k > 200) return wilsonBound(k, n, tail, 'lower');
  // P(X ≥ k) = 1 − P(X ≤ k − 1) rises with p; the bound lies below the estimate.
  return bisect(0, k / n, (p) => 1 - binomialCdf(k - 1, n, p) < tail);
}

/** The boundary in [lo, hi] between where `below(p)` holds and where it does not, to double precision. */
function bisect(lo: number, hi: number, below: (p: number) => boolean): number {
  for (let i = 0; i < 60; i++) {
    const p = (lo + hi) / 2;
    if (below(p)) lo = p;
    else hi = p;
  }
  return (lo + hi) / 2;
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  // Sum the terms i = 0..k around the largest, in log space.
  const logTerm = (i: number) => logChoose(n, i) + i * logP + (n - i) * logQ;
  let max = -Infinity;
  for (let i = 0; i <= k; i++) max = Math.max(max, logTerm(i));
  let sum = 0;
  for (let i = 0; i <= k; i++) sum += Math.exp(logTerm(i) - max);
  return Math.min(1, Math.exp(max + Math.log(sum)));
}

const logFactorialCache: number[] = [0];
function logFactorial(n: number): number {
  if (n < 1e5) {
    for (let i = logFactorialCache.length; i <= n; i++) logFactorialCache[i] = logFactorialCache[i - 1]! + Math.log(i);
    return logFactorialCache[n]!;
  }
  // Stirling's series: exact to double precision at this size.
  return n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n) + 1 / (12 * n) - 1 / (360 * n ** 3);
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}

function wilsonBound(k: number, n: number, tail: number, side: 'upper' | 'lower'): number {
  const z = Math.abs(normalQuantile(tail));
  const phat = k / n;
  const centre = phat + (z * z) / (2 * n);
  const spread = z * Math.sqrt((phat * (1 - phat)) / n + (z * z) / (4 * n * n));
  const value = (side === 'upper' ? centre + spread : centre - spread) / (1 + (z * z) / n);
  return Math.min(1, Math.max(0, value));
}

/**
 * The chance that a face of someone not on the watchlist falsely matches at least one of
 * `templates` templates when each comparison falsely matches with probability `fmr`:
 * 1 − (1 − FMR)^N (the false positive identification rate, FPIR), computed without the
 * rounding that 1 − (1 − 1e-9)^N suffers in floating point.
 */
export function falseMatchPerFace(fmr: number, templates: number): number {
  if (!(fmr >= 0 && fmr <= 1)) throw new RangeError('FMR must be a probability.');
  if (!(templates >= 0)) throw new RangeError('The number of templates cannot be negative.');
  if (fmr === 1) return templates > 0 ? 1 : 0;
  return -Math.expm1(templates * Math.log1p(-fmr));
}

/** The largest per-comparison FMR at which N templates stay within `perFace` false matches per face. */
export function fmrAllowedFor(perFace: number, templates: number): number {
  if (templates <= 0) return 1;
  return -Math.expm1(Math.log1p(-perFace) / templates);
}
