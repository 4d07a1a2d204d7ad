import { bytesToVector } from '@/lib/recognition/vectors';

/**
 * The in-memory first stage of one live deployment: every face-api template of its snapshot in
 * ONE contiguous Float32Array (row r = dimensions [r·d, r·d + d), d = 128 for face-api; any
 * multiple of 16 works), with the entry and reference-image ids in parallel arrays. Exact
 * nearest-neighbour search by euclidean distance, no approximation: a wanted person must never be
 * missed because an index took a shortcut. It finds *candidates*; the server then verifies each
 * from the probe's crop (lib/live/verification.ts) before anything becomes an alert.
 *
 * Where the speed comes from (bench/match.ts has the figures; each step was measured):
 * - squared distances, and a square root only for the winner;
 * - partial distance elimination: a row is abandoned as soon as its running sum passes the best
 *   so far, checked after each block of 16 dimensions (every 8 measured no better);
 * - the blocks are visited in a per-probe order, those where this probe is expected to differ
 *   most from the templates first (from each dimension's mean and variance over the snapshot),
 *   so running sums grow fast and rows are abandoned sooner (≈ 6% for strangers, 40% for near
 *   matches on the benchmark's evenly spread data; data with uneven variance should gain more,
 *   not yet measured on real descriptors);
 * - a seeding pass sums the first block of every row, keeps those sums, and finishes the row with
 *   the smallest first: the bound is tight from the start. For someone on the watchlist nearly
 *   every other row is then dropped after that one block (≈ 3× faster than without);
 * - the probe is copied into a plain array of doubles, which V8 reads faster than a typed array
 *   (≈ 15%), and the inner loop is unrolled by 16 with two short sums.
 * Tried and dropped: precomputed norms with dot products (no faster, and no early exit), a
 * Float64Array copy of the data, a per-probe order of single dimensions (the gather costs what it
 * saves), two rows per iteration, fully unrolling all 128 dimensions (+10%, not worth the code).
 *
 * Pure and synchronous: no database, no I/O. `nearest` reuses scratch buffers held by the
 * index, which is safe because JavaScript runs it to completion on one thread.
 */

export type TemplateRow = {
  entryId: string;
  referenceImageId: string;
  /** d float32 values, or their stored form (4·d little-endian bytes, SnapshotTemplate.vector). */
  descriptor: Float32Array | Uint8Array;
};

export type NearestTemplate = {
  /** Position of the template in the rows the index was built from. */
  row: number;
  entryId: string;
  referenceImageId: string;
  /** Euclidean distance between the probe and that template. */
  distance: number;
};

export type NearestOptions = {
  /**
   * Only report a template at or under this distance (typically the deployment's threshold);
   * `nearest` returns null when there is none. Lets the search drop rows early for the faces
   * that match nothing — nearly all of them — without changing which template wins.
   */
  within?: number;
};

/** Dimensions summed between two early-exit checks; also the width of the seeding pass. */
const BLOCK = 16;
/** Length of face-api's descriptors, the index's usual rows (and its length when built empty). */
export const FACEAPI_DIMS = 128;
/** Most candidates `candidates()` reports: each costs the verifier one comparison, not one embedding. */
export const MAX_CANDIDATES = 8;

/** A match is a distance at or under the deployment's threshold (docs/rules.md#accuracy). */
export function isMatch(distance: number, threshold: number): boolean {
  return distance <= threshold;
}

/**
 * The best rows found so far, nearest first: `count` of at most `capacity`, their squared
 * distances in `distances` and rows in `rows`. `bound` is the squared distance a row must not
 * exceed to enter: the worst kept once full, the caller's limit before.
 */
type ScanState = { capacity: number; count: number; distances: Float64Array; rows: Int32Array; bound: number };

export class TemplateIndex {
  /** Number of templates (reference images). */
  readonly size: number;
  /** Number of distinct watchlist entries among them. */
  readonly entryCount: number;
  /** Length of every row. */
  readonly dims: number;
  private readonly blocks: number;
  private readonly data: Float32Array;
  private readonly entryIds: readonly string[];
  private readonly referenceImageIds: readonly string[];
  /** Per dimension, the templates' mean; per block, the sum of its dimensions' variances. */
  private readonly mean: Float64Array;
  private readonly blockVariance: Float64Array;
  /** Scratch: each row's sum over the first block visited. */
  private readonly partial: Float64Array;
  /** Scratch: the probe as doubles. Filled with doubles so V8 keeps it a packed double array. */
  private readonly query: number[];
  /** Scratch: this probe's block order (offsets of the blocks' first dimension) and their keys. */
  private readonly order: Int32Array;
  private readonly keys: Float64Array;
  /** Scratch: the best rows so far. */
  private readonly state: ScanState = {
    capacity: 1,
    count: 0,
    distances: new Float64Array(MAX_CANDIDATES),
    rows: new Int32Array(MAX_CANDIDATES),
    bound: Infinity,
  };

  /**
   * Builds the index from a snapshot's rows (several rows may share an entry), all of `dims`
   * numbers (a multiple of 16; face-api's 128 by default). Throws a RangeError naming the row if
   * a template is not `dims` finite numbers: a corrupt template must fail loudly at go-live, not
   * silently never match.
   */
  constructor(rows: readonly TemplateRow[], dims: number = FACEAPI_DIMS) {
    if (!Number.isInteger(dims) || dims <= 0 || dims % BLOCK !== 0)
      throw new RangeError(`Template length must be a positive multiple of ${BLOCK}, not ${dims}.`);
    const n = rows.length;
    this.size = n;
    this.dims = dims;
    this.blocks = dims / BLOCK;
    this.mean = new Float64Array(dims);
    this.blockVariance = new Float64Array(this.blocks);
    this.query = Array.from({ length: dims }, () => 0.5);
    this.order = new Int32Array(this.blocks);
    this.keys = new Float64Array(this.blocks);
    this.data = new Float32Array(n * dims);
    this.partial = new Float64Array(n);
    const entryIds: string[] = [];
    const referenceImageIds: string[] = [];
    rows.forEach((row, r) => {
      this.data.set(templateValues(row, r, dims), r * dims);
      entryIds.push(row.entryId);
      referenceImageIds.push(row.referenceImageId);
    });
    this.entryIds = entryIds;
    this.referenceImageIds = referenceImageIds;
    this.entryCount = new Set(entryIds).size;
    this.computeStatistics();
  }

  /**
   * The template nearest to `probe` (`dims` finite numbers; throws a RangeError otherwise), or
   * null for an empty index or when none lies within `options.within`. Equal distances go to the
   * lowest row. Deciding whether the distance is a match is the caller's (see isMatch).
   */
  nearest(probe: Float32Array, options: NearestOptions = {}): NearestTemplate | null {
    return this.search(probe, options.within ?? Infinity, 1)[0] ?? null;
  }

  /**
   * The templates within `within` of `probe`, nearest first, at most `limit` (≤ MAX_CANDIDATES)
   * of them: the first stage's candidates. Several may belong to one entry. Same exact search as
   * `nearest`, keeping the best few instead of the best one, so the verifier can still find a
   * wanted person whose template is not the very nearest.
   */
  candidates(probe: Float32Array, { within, limit }: { within: number; limit: number }): NearestTemplate[] {
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CANDIDATES) throw new RangeError(`limit must be 1 to ${MAX_CANDIDATES}.`);
    return this.search(probe, within, limit);
  }

  private search(probe: Float32Array, within: number, limit: number): NearestTemplate[] {
    try {
      return this.scanAll(probe, within, limit);
    } finally {
      // Nothing of the probe — usually a passer-by who matched nothing — outlives the call.
      this.query.fill(0.5);
      this.partial.fill(0);
      this.state.distances.fill(0);
      this.state.rows.fill(0);
    }
  }

  private scanAll(probe: Float32Array, within: number, limit: number): NearestTemplate[] {
    const q = this.loadProbe(probe);
    if (!(within >= 0)) throw new RangeError('`within` must be a distance (zero or more).');
    const n = this.size;
    if (n === 0) return [];

    const order = this.orderBlocks(q);
    const seed = seedPass(this.data, this.partial, q, n, order[0]!, this.dims);
    // The bound starts at `within` squared, nudged up by a few ulps so that rounding in the
    // square can never drop a template exactly at the threshold; the final check below is on
    // the distance itself.
    const state = this.state;
    state.capacity = limit;
    state.count = 0;
    state.bound = within === Infinity ? Infinity : within * within * (1 + 1e-12);
    // The seed row first, through the same code as every other row so that equal distances
    // compare equal; then all the others.
    scan(this.data, this.partial, q, order, seed, seed + 1, -1, state, this.dims, this.blocks);
    scan(this.data, this.partial, q, order, 0, n, seed, state, this.dims, this.blocks);

    const found: NearestTemplate[] = [];
    for (let i = 0; i < state.count; i++) {
      const row = state.rows[i]!;
      const distance = Math.sqrt(state.distances[i]!);
      if (distance > within) continue;
      found.push({ row, entryId: this.entryIds[row]!, referenceImageId: this.referenceImageIds[row]!, distance });
    }
    return found;
  }

  /** Copies the probe into the scratch array, checking it on the way (one pass, no allocation). */
  private loadProbe(probe: Float32Array): number[] {
    const DIMS = this.dims;
    if (!(probe instanceof Float32Array) || probe.length !== DIMS) {
      throw new RangeError(`A probe must be a Float32Array of ${DIMS} numbers.`);
    }
    const q = this.query;
    for (let j = 0; j < DIMS; j++) {
      const v = probe[j]!;
      if (!Number.isFinite(v)) throw new RangeError('A probe holds a value that is not a finite number.');
      q[j] = v;
    }
    return q;
  }

  /**
   * Orders the blocks by how much this probe is expected to differ from a template there —
   * E[(x − q)²] summed over the block = variance + (mean − q)² — largest first (insertion sort
   * of eight). Any order gives the same winner; this one lets rows be dropped sooner.
   */
  private orderBlocks(q: number[]): Int32Array {
    const { order, keys, mean, blockVariance, blocks } = this;
    for (let b = 0; b < blocks; b++) {
      let key = blockVariance[b]!;
      for (let j = b * BLOCK; j < (b + 1) * BLOCK; j++) {
        const d = q[j]! - mean[j]!;
        key += d * d;
      }
      let i = b - 1;
      while (i >= 0 && keys[i]! < key) {
        keys[i + 1] = keys[i]!;
        order[i + 1] = order[i]!;
        i--;
      }
      keys[i + 1] = key;
      order[i + 1] = b * BLOCK;
    }
    return order;
  }

  /** Each dimension's mean over the templates, and each block's summed variance. */
  private computeStatistics(): void {
    const { data, mean, blockVariance, size: n, dims: DIMS } = this;
    if (n === 0) return;
    const variance = new Float64Array(DIMS);
    for (let k = 0; k < data.length; k += DIMS) for (let j = 0; j < DIMS; j++) mean[j] = mean[j]! + data[k + j]!;
    for (let j = 0; j < DIMS; j++) mean[j] = mean[j]! / n;
    for (let k = 0; k < data.length; k += DIMS) {
      for (let j = 0; j < DIMS; j++) {
        const d = data[k + j]! - mean[j]!;
        variance[j] = variance[j]! + d * d;
      }
    }
    for (let j = 0; j < DIMS; j++) {
      const b = Math.floor(j / BLOCK);
      blockVariance[b] = blockVariance[b]! + variance[j]! / n;
    }
  }
}

/** The `dims` values of one snapshot row, validated. */
function templateValues(row: TemplateRow, r: number, dims: number): Float32Array {
  try {
    if (row.descriptor instanceof Float32Array) {
      if (row.descriptor.length !== dims || !row.descriptor.every(Number.isFinite)) throw new RangeError(`A template must be ${dims} finite numbers.`);
      return row.descriptor;
    }
    return bytesToVector(row.descriptor, dims);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RangeError(`Template ${r} (reference image ${row.referenceImageId}): ${reason}`);
  }
}

/*
 * The two hot loops below are written out by hand rather than sharing a 16-dimension helper:
 * such a helper is over V8's inlining limit (460 bytes of bytecode), and calling it per row
 * measured 30–40% slower. Each loop is its own function, called once or twice per probe.
 */

/**
 * Seeding pass: every row's squared distance over the block starting at dimension `first`, kept
 * in `partial`; returns the row with the smallest. The block's 16 probe values stay in locals for
 * the whole pass.
 */
function seedPass(data: Float32Array, partial: Float64Array, q: number[], n: number, first: number, DIMS: number): number {
  const j = first;
  const q0 = q[j]!,
    q1 = q[j + 1]!,
    q2 = q[j + 2]!,
    q3 = q[j + 3]!,
    q4 = q[j + 4]!,
    q5 = q[j + 5]!,
    q6 = q[j + 6]!,
    q7 = q[j + 7]!;
  const q8 = q[j + 8]!,
    q9 = q[j + 9]!,
    q10 = q[j + 10]!,
    q11 = q[j + 11]!,
    q12 = q[j + 12]!,
    q13 = q[j + 13]!,
    q14 = q[j + 14]!,
    q15 = q[j + 15]!;
  let seed = 0;
  let smallest = Infinity;
  for (let r = 0, k = first; r < n; r++, k += DIMS) {
    const d0 = data[k]! - q0,
      d1 = data[k + 1]! - q1,
      d2 = data[k + 2]! - q2,
      d3 = data[k + 3]! - q3;
    const d4 = data[k + 4]! - q4,
      d5 = data[k + 5]! - q5,
      d6 = data[k + 6]! - q6,
      d7 = data[k + 7]! - q7;
    const e0 = data[k + 8]! - q8,
      e1 = data[k + 9]! - q9,
      e2 = data[k + 10]! - q10,
      e3 = data[k + 11]! - q11;
    const e4 = data[k + 12]! - q12,
      e5 = data[k + 13]! - q13,
      e6 = data[k + 14]! - q14,
      e7 = data[k + 15]! - q15;
    const s =
      d0 * d0 +
      d1 * d1 +
      d2 * d2 +
      d3 * d3 +
      d4 * d4 +
      d5 * d5 +
      d6 * d6 +
      d7 * d7 +
      (e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3 + e4 * e4 + e5 * e5 + e6 * e6 + e7 * e7);
    partial[r] = s;
    if (s < smallest) {
      smallest = s;
      seed = r;
    }
  }
  return seed;
}

/**
 * Main pass over rows [from, to), except `skip`: completes each row's squared distance from its
 * seeding sum over the remaining blocks in `order`, abandoning it once the sum passes the bound
 * (partial distance elimination), and keeps the `capacity` smallest in `state`, nearest first
 * (the lower row first on equal sums).
 */
function scan(
  data: Float32Array,
  partial: Float64Array,
  q: number[],
  order: Int32Array,
  from: number,
  to: number,
  skip: number,
  state: ScanState,
  DIMS: number,
  BLOCKS: number,
): void {
  let bound = state.bound;
  for (let r = from, row = from * DIMS; r < to; r++, row += DIMS) {
    let s = partial[r]!;
    if (s > bound || r === skip) continue;
    for (let b = 1; b < BLOCKS; b++) {
      const j = order[b]!;
      const k = row + j;
      const d0 = data[k]! - q[j]!,
        d1 = data[k + 1]! - q[j + 1]!,
        d2 = data[k + 2]! - q[j + 2]!,
        d3 = data[k + 3]! - q[j + 3]!;
      const d4 = data[k + 4]! - q[j + 4]!,
        d5 = data[k + 5]! - q[j + 5]!,
        d6 = data[k + 6]! - q[j + 6]!,
        d7 = data[k + 7]! - q[j + 7]!;
      const e0 = data[k + 8]! - q[j + 8]!,
        e1 = data[k + 9]! - q[j + 9]!,
        e2 = data[k + 10]! - q[j + 10]!,
        e3 = data[k + 11]! - q[j + 11]!;
      const e4 = data[k + 12]! - q[j + 12]!,
        e5 = data[k + 13]! - q[j + 13]!,
        e6 = data[k + 14]! - q[j + 14]!,
        e7 = data[k + 15]! - q[j + 15]!;
      s +=
        d0 * d0 +
        d1 * d1 +
        d2 * d2 +
        d3 * d3 +
        d4 * d4 +
        d5 * d5 +
        d6 * d6 +
        d7 * d7 +
        (e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3 + e4 * e4 + e5 * e5 + e6 * e6 + e7 * e7);
      if (s > bound) break;
    }
    if (s <= bound) bound = keep(state, s, r);
  }
}

/**
 * Inserts row `r` at squared distance `s` among the kept rows (after any at an equal distance and
 * lower row, so ties go to the lowest row), dropping the farthest when full; returns the new bound.
 * Rare: only rows within the bound get here.
 */
function keep(state: ScanState, s: number, r: number): number {
  const { distances, rows, capacity } = state;
  let i = state.count < capacity ? state.count : capacity - 1;
  if (state.count === capacity && (s > distances[i]! || (s === distances[i]! && r > rows[i]!))) return state.bound;
  while (i > 0 && (distances[i - 1]! > s || (distances[i - 1]! === s && rows[i - 1]! > r))) {
    distances[i] = distances[i - 1]!;
    rows[i] = rows[i - 1]!;
    i--;
  }
  distances[i] = s;
  rows[i] = r;
  if (state.count < capacity) state.count++;
  if (state.count === capacity) state.bound = distances[capacity - 1]!;
  return state.bound;
}
