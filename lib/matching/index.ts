import { bytesToVector } from '@/lib/recognition/vectors';
import { BLOCK, CHUNK, layout, scanKernel, type ScanKernel } from './kernel';

/**
 * The in-memory first stage of one live deployment: exact nearest-neighbour search by euclidean
 * distance over every face-api template of its snapshot, no approximation — a wanted person must
 * never be missed because an index took a shortcut. It finds *candidates*; the server then
 * verifies each from the probe's crop (lib/live/verification.ts) before anything becomes an alert.
 *
 * Storage: ONE WebAssembly memory holding the templates as float32 (d = 128 for face-api; any
 * length works, padded with zeros to a multiple of 16), in the chunked layout lib/matching/kernel.ts
 * describes, plus the probe and a scratch area of a few hundred bytes. Ids are not kept as one
 * string per row: the reference-image ids are one long string cut by offsets, and each row holds
 * the number of its entry (entries' ids likewise). About 1.1× the raw 4·d bytes per template
 * (bench/match.ts measures it).
 *
 * Search, one pass per probe: the WebAssembly filter drops every row whose float32 distance
 * passes the bound (the caller's `within`, squared, or the worst of the best `limit` found so
 * far, whichever is smaller) and stops at each chunk where some row stays within it; those few
 * rows are measured again here in doubles, from the same stored float32 values, and kept in
 * small fixed arrays, nearest first. The filter's bound is loosened by far more than float32
 * rounding can move a sum (see LOOSEN), so it never drops a row the exact sum would keep: the
 * answers are those of a plain double-precision scan, ties going to the lowest row.
 *
 * Synchronous: no database, no I/O. The probe and scratch live in the index, which is safe because
 * JavaScript runs a search to completion on one thread; they are wiped after every search.
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

/** Length of face-api's descriptors, the index's usual rows (and its length when built empty). */
export const FACEAPI_DIMS = 128;
/** Most candidates `candidates()` reports: each costs the verifier one comparison, not one embedding. */
export const MAX_CANDIDATES = 8;

/** A match is a distance at or under the deployment's threshold (docs/rules.md#accuracy). */
export function isMatch(distance: number, threshold: number): boolean {
  return distance <= threshold;
}

/**
 * How much the float32 filter's bound is loosened, relative. Each float32 sum is within
 * (d/4 + d/16 + 10)·2⁻²⁴ of the exact sum of the same stored values (relative, all terms being
 * positive): under 2·10⁻⁵ for the longest rows allowed; 10⁻³ leaves a wide margin and lets
 * through only rows within 0.1% of the bound, which the exact check then settles.
 */
const LOOSEN = 1 + 1e-3;
/** Longest rows accepted (the rounding argument above holds well beyond; nobody needs more). */
const MAX_DIMS = 4096;
/** A WebAssembly memory (32-bit addresses) holds at most 4 GiB. */
const MAX_MEMORY_BYTES = 2 ** 32;

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
  /** Bytes the index holds: its memory, ids and their offsets (bench/match.ts checks it against what the heap shows). */
  readonly bytes: number;
  private readonly blocks: number;
  private readonly chunks: number;
  private readonly layout: ReturnType<typeof layout>;
  private readonly scan: ScanKernel;
  /** The index's memory, as float32 (templates, probe, partial sums) and as int32 (the list of rows found). */
  private readonly floats: Float32Array;
  private readonly ints: Int32Array;
  /** All reference-image ids end to end; row r's is [imageIdEnds[r − 1], imageIdEnds[r]). */
  private readonly imageIds: string;
  private readonly imageIdEnds: Uint32Array;
  /** Row r belongs to entry entryOfRow[r], whose id is [entryIdEnds[e − 1], entryIdEnds[e]) of entryIds. */
  private readonly entryOfRow: Int32Array;
  private readonly entryIds: string;
  private readonly entryIdEnds: Uint32Array;
  /** Scratch: the probe as doubles, padded with zeros. Filled with doubles so V8 keeps it a packed double array. */
  private readonly query: number[];
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
   * numbers (face-api's 128 by default). Throws a RangeError naming the row if a template is not
   * `dims` finite numbers: a corrupt template must fail loudly at go-live, not silently never match.
   */
  constructor(rows: readonly TemplateRow[], dims: number = FACEAPI_DIMS) {
    if (!Number.isInteger(dims) || dims <= 0 || dims > MAX_DIMS)
      throw new RangeError(`Template length must be a whole number from 1 to ${MAX_DIMS}, not ${dims}.`);
    const n = rows.length;
    this.size = n;
    this.dims = dims;
    this.blocks = Math.ceil(dims / BLOCK);
    this.chunks = Math.ceil(n / CHUNK);
    this.layout = layout(this.blocks);
    const memoryBytes = this.layout.base + this.chunks * this.layout.chunkBytes;
    if (memoryBytes > MAX_MEMORY_BYTES) {
      throw new RangeError(`${n} templates of ${dims} numbers are more than one matcher holds (4 GiB: about 8 million of face-api's).`);
    }
    const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(memoryBytes / 65_536)) });
    this.scan = scanKernel(memory, this.blocks);
    this.floats = new Float32Array(memory.buffer);
    this.ints = new Int32Array(memory.buffer);
    this.query = Array.from({ length: this.blocks * BLOCK }, () => 0.5);
    this.query.fill(0);

    const imageIdEnds = new Uint32Array(n);
    const entryOfRow = new Int32Array(n);
    const entryNumbers = new Map<string, number>();
    const imageIdList: string[] = [];
    let imageIdLength = 0;
    rows.forEach((row, r) => {
      this.store(r, templateValues(row, r, dims));
      imageIdLength += row.referenceImageId.length;
      imageIdEnds[r] = imageIdLength;
      imageIdList.push(row.referenceImageId);
      let entry = entryNumbers.get(row.entryId);
      if (entry === undefined) {
        entry = entryNumbers.size;
        entryNumbers.set(row.entryId, entry);
      }
      entryOfRow[r] = entry;
    });
    // The last chunk's unused rows: infinitely far, so the filter drops them for any finite bound.
    for (let r = n; r < this.chunks * CHUNK; r++) this.store(r, null);
    // One flat string each, not a tree of the pieces with a header per piece (see flatString).
    this.imageIds = flatString(imageIdList);
    this.imageIdEnds = imageIdEnds;
    this.entryOfRow = entryOfRow;
    const entryIdEnds = new Uint32Array(entryNumbers.size);
    let entryIdLength = 0;
    let e = 0;
    for (const id of entryNumbers.keys()) {
      entryIdLength += id.length;
      entryIdEnds[e++] = entryIdLength;
    }
    this.entryIds = flatString([...entryNumbers.keys()]);
    this.entryIdEnds = entryIdEnds;
    this.entryCount = entryNumbers.size;
    this.bytes =
      memory.buffer.byteLength +
      stringBytes(this.imageIds) +
      stringBytes(this.entryIds) +
      imageIdEnds.byteLength +
      entryOfRow.byteLength +
      entryIdEnds.byteLength;
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
      // Nothing of the probe — usually a passer-by who matched nothing — outlives the call:
      // the probe, the partial sums and the list of rows found, in the memory and here.
      this.floats.fill(0, 0, this.layout.base / 4);
      this.query.fill(0);
      this.state.distances.fill(0);
      this.state.rows.fill(0);
    }
  }

  private scanAll(probe: Float32Array, within: number, limit: number): NearestTemplate[] {
    const q = this.loadProbe(probe);
    if (!(within >= 0)) throw new RangeError('`within` must be a distance (zero or more).');
    const n = this.size;
    if (n === 0) return [];

    // The bound starts at `within` squared, nudged up by a few ulps so that rounding in the
    // square can never drop a template exactly at the threshold; the final check below is on
    // the distance itself.
    const state = this.state;
    state.capacity = limit;
    state.count = 0;
    state.bound = within === Infinity ? Infinity : within * within * (1 + 1e-12);
    const { chunks, ints } = this;
    const alive = this.layout.alive / 4;
    let bound = state.bound;
    // The tiny absolute slack covers sums so small that float32 loses them entirely.
    for (let c = 0; (c = this.scan(c, chunks, bound * LOOSEN + 1e-30)) < chunks; c++) {
      const found = ints[this.layout.count / 4]!;
      for (let t = 0; t < found; t++) {
        const r = c * CHUNK + ints[alive + t]!;
        if (r >= n) continue;
        const s = this.squaredDistance(r, q);
        if (s <= bound) bound = keep(state, s, r);
      }
    }

    const found: NearestTemplate[] = [];
    for (let i = 0; i < state.count; i++) {
      const row = state.rows[i]!;
      const distance = Math.sqrt(state.distances[i]!);
      if (distance > within) continue;
      const entry = this.entryOfRow[row]!;
      found.push({
        row,
        entryId: this.entryIds.slice(entry === 0 ? 0 : this.entryIdEnds[entry - 1], this.entryIdEnds[entry]),
        referenceImageId: this.imageIds.slice(row === 0 ? 0 : this.imageIdEnds[row - 1], this.imageIdEnds[row]),
        distance,
      });
    }
    return found;
  }

  /** Index in `floats` of dimensions [16·b, 16·b + 16) of row r is rowStart(r) + b·CHUNK·16. */
  private rowStart(r: number): number {
    const chunk = Math.floor(r / CHUNK);
    return (this.layout.base + chunk * this.layout.chunkBytes) / 4 + (r - chunk * CHUNK) * BLOCK;
  }

  /** Writes row r's values into its place (null: the padding row, infinitely far from any probe). */
  private store(r: number, values: Float32Array | null): void {
    const start = this.rowStart(r);
    for (let b = 0; b < this.blocks; b++) {
      const at = start + b * CHUNK * BLOCK;
      if (values) this.floats.set(values.subarray(b * BLOCK, Math.min(this.dims, (b + 1) * BLOCK)), at);
      else this.floats.fill(Infinity, at, at + BLOCK);
    }
  }

  /**
   * Row r's squared distance to the probe in doubles, dimension by dimension in order: the same
   * number a plain scan over the stored float32 values computes.
   */
  private squaredDistance(r: number, q: number[]): number {
    const { floats, blocks } = this;
    const start = this.rowStart(r);
    let s = 0;
    for (let b = 0; b < blocks; b++) {
      const at = start + b * CHUNK * BLOCK;
      for (let j = 0; j < BLOCK; j++) {
        const d = floats[at + j]! - q[b * BLOCK + j]!;
        s += d * d;
      }
    }
    return s;
  }

  /** Copies the probe into the memory and into `query`, checking it on the way. */
  private loadProbe(probe: Float32Array): number[] {
    const DIMS = this.dims;
    if (!(probe instanceof Float32Array) || probe.length !== DIMS) {
      throw new RangeError(`A probe must be a Float32Array of ${DIMS} numbers.`);
    }
    const q = this.query;
    const at = this.layout.query / 4;
    for (let j = 0; j < DIMS; j++) {
      const v = probe[j]!;
      if (!Number.isFinite(v)) throw new RangeError('A probe holds a value that is not a finite number.');
      q[j] = v;
      this.floats[at + j] = v;
    }
    return q;
  }
}

/** The pieces end to end as one flat string (a tree of concatenations would keep every piece). */
function flatString(pieces: string[]): string {
  const joined = pieces.join('');
  // Reading a character makes V8 flatten the string; Number() keeps the read from being dropped.
  Number(joined.charCodeAt(0));
  return joined;
}

/** Roughly what V8 stores for a flat string: one byte a character when all fit in Latin-1, else two. */
function stringBytes(text: string): number {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return text.length * 2;
  return text.length;
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
