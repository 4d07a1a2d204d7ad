import type { Metric } from './manifest';

/**
 * Face vectors of any recogniser: their stored form and how two are compared.
 *
 * A score means different things per metric, and the code never forgets which:
 * - euclidean: a distance, 0 for identical faces; a match is a score AT OR UNDER the threshold;
 * - cosine: a similarity in [−1, 1] of the unit-length vectors; a match is a score AT OR OVER it.
 *
 * Pure: no Node or browser APIs.
 */

/** Stored form: float32 values, little-endian, whatever the machine's byte order. */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!;
    if (!Number.isFinite(value)) throw new RangeError('A face vector holds a value that is not a finite number.');
    view.setFloat32(i * 4, value, true);
  }
  return bytes;
}

/**
 * A vector from its stored form (a Uint8Array or Node Buffer, possibly a view into a larger pool).
 * Throws when the length is not `expectedLength` numbers or a value is not finite: a corrupt
 * template must fail loudly, never silently match or miss.
 */
export function bytesToVector(bytes: Uint8Array, expectedLength: number): Float32Array {
  if (bytes.byteLength !== expectedLength * 4) {
    throw new RangeError(`A stored face vector must be ${expectedLength * 4} bytes (${expectedLength} numbers), not ${bytes.byteLength}.`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(expectedLength);
  for (let i = 0; i < expectedLength; i++) {
    const value = view.getFloat32(i * 4, true);
    if (!Number.isFinite(value)) throw new RangeError('A stored face vector holds a value that is not a finite number.');
    vector[i] = value;
  }
  return vector;
}

/** The vector scaled to length 1 (a copy). A zero vector stays zero: it matches nothing. */
export function unitLength(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const out = new Float32Array(vector.length);
  if (!(sum > 0)) return out;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < vector.length; i++) out[i] = vector[i]! * scale;
  return out;
}

/**
 * The score of two vectors of equal length under `metric`. For cosine both are expected to be
 * unit length already (templates and probes are normalised when computed), so it is a dot product.
 */
export function score(a: Float32Array, b: Float32Array, metric: Metric): number {
  if (a.length !== b.length) throw new RangeError(`Cannot compare face vectors of different lengths (${a.length} and ${b.length}).`);
  let sum = 0;
  if (metric === 'cosine') {
    for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
    return Math.max(-1, Math.min(1, sum));
  }
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** Whether a score is a match at a threshold: at or under it for distances, at or over it for similarities. */
export function passes(value: number, threshold: number, metric: Metric): boolean {
  return metric === 'cosine' ? value >= threshold : value <= threshold;
}

/** Whether score `a` is a closer match than `b` under `metric`. */
export function closer(a: number, b: number, metric: Metric): boolean {
  return metric === 'cosine' ? a > b : a < b;
}

/** The best (closest) of several scores, or null when there are none. */
export function bestScore(values: readonly number[], metric: Metric): number | null {
  let best: number | null = null;
  for (const value of values) if (best === null || closer(value, best, metric)) best = value;
  return best;
}

/** How a score reads to a person: "distance 0.412" or "similarity 0.537". */
export function describeScore(value: number, metric: Metric): string {
  return `${metric === 'cosine' ? 'similarity' : 'distance'} ${value.toFixed(3)}`;
}
