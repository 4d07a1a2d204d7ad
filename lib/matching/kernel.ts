/**
 * The matcher's hot loop as a tiny WebAssembly module (128-bit SIMD, four float32 lanes), written
 * out here as bytes so there is no build step and nothing to download. JavaScript has no SIMD of
 * its own: the plain TypeScript scan this replaced reached 0.3–0.5× a native SIMD brute force.
 *
 * Layout (the index's one memory, see lib/matching/index.ts): the probe at byte 0, a small
 * scratch area, then the templates in chunks of CHUNK rows. Inside a chunk the rows are cut into
 * blocks of 16 dimensions (64 bytes, one cache line) and stored block by block: the first block of
 * all CHUNK rows, then the second block of all of them, and so on.
 *
 * The exported function is a filter. `scan(from, to, bound)` visits chunks [from, to); in each it
 * sums the first four blocks of every row (the probe's four held in locals), keeps the rows whose
 * running squared distance is at most `bound`, adds the next block for those only, and so on. It
 * returns the first chunk where some row stays within `bound` to the end — those rows' positions
 * are left in the scratch list — or `to` when there is none. With the plan's candidate distance as
 * bound nearly every row is dropped after those four blocks, so only about half of the templates'
 * bytes are read, and as each block of a chunk is contiguous they stream from memory in order
 * instead of skipping about. Measured (CPU time against usearch, the variants side by side in one
 * process): four blocks first beat three by about 10 % and five by 5–15 %; a check after every
 * further block beat one every two blocks by 5–10 %.
 *
 * The sums are float32, not the exact answer: the caller passes a bound loosened by far more than
 * their worst rounding error and recomputes every row found, in doubles. No row within the true
 * bound can be missed, so the answers stay exact.
 */

/** Rows per chunk: each block of a chunk is then 4 KiB, one memory page. */
export const CHUNK = 64;
/** Dimensions per block: one cache line of float32. */
export const BLOCK = 16;
const BLOCK_BYTES = BLOCK * 4;
/** Blocks the first pass sums for every row before its first check. */
const FIRST_BLOCKS = 4;
/** Blocks added between two checks after that. */
const GROUP_BLOCKS = 1;

/** Where things are in the index's memory, for rows of `blocks` blocks. */
export function layout(blocks: number) {
  const partial = blocks * BLOCK_BYTES; // f32 × CHUNK: each row's running sum
  const alive = partial + CHUNK * 4; // i32 × CHUNK: rows still within the bound
  const count = alive + CHUNK * 4; // i32: how many
  const base = Math.ceil((count + 4) / BLOCK_BYTES) * BLOCK_BYTES;
  return { query: 0, partial, alive, count, base, chunkBytes: CHUNK * blocks * BLOCK_BYTES };
}

// ---- a few opcodes (https://webassembly.github.io/spec/core/binary/instructions.html) ----
const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const VOID = 0x40;
const op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  unreachable: 0x00,
  localGet: 0x20,
  localSet: 0x21,
  i32Load: 0x28,
  f32Load: 0x2a,
  i32Store: 0x36,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32Shl: 0x74,
  f32Gt: 0x5e,
  f32Add: 0x92,
} as const;
/** SIMD instructions: prefix 0xfd, then the instruction number as unsigned LEB128. */
const simd = {
  load: [0xfd, 0x00],
  extractLane: [0xfd, 0x1f],
  add: [0xfd, 0xe4, 0x01],
  sub: [0xfd, 0xe5, 0x01],
  mul: [0xfd, 0xe6, 0x01],
} as const;

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function vector(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

// Locals: the three parameters, then the i32s, the f32 and the v128s.
const FROM = 0,
  TO = 1,
  BOUND = 2;
const C = 3, // chunk
  CH = 4, // its address
  QB = 7, // address of the probe (locals 5 and 6 are unused)
  M = 8, // rows alive
  M2 = 9, // rows still alive after this block
  T = 10, // position in the alive list
  I = 11, // row within the chunk
  A = 12; // address of row I's block
const S = 13; // f32: running sum
const ACC = 14, // v128
  D = 15, // v128 scratch
  Q0 = 16; // v128 × 4·FIRST_BLOCKS: the probe's first blocks, read once per call

const get = (local: number) => [op.localGet, local];
const set = (local: number) => [op.localSet, local];
const i32 = (value: number) => [op.i32Const, ...sleb(value)];
/** Memory instructions with an alignment hint (log2 bytes) and a constant offset. */
const mem = (code: number | readonly number[], align: number, offset: number) => [...(typeof code === 'number' ? [code] : code), align, ...uleb(offset)];

/**
 * Σ of (x − q)² over the 16 dimensions at A + aOffset and QB + qOffset, for each pair of offsets,
 * as a float32 on the stack.
 */
function blockSum(offsets: readonly (readonly [number, number])[], probeInLocals = false): number[] {
  const square = (a: number, q: number) => [
    ...get(A),
    ...mem(simd.load, 4, a),
    ...(probeInLocals ? get(Q0 + q / 16) : [...get(QB), ...mem(simd.load, 4, q)]),
    ...simd.sub,
    ...set(D),
    ...get(D),
    ...get(D),
    ...simd.mul,
  ];
  const lane = (i: number) => [...get(ACC), ...simd.extractLane, i];
  const code: number[] = [];
  offsets.forEach(([a, q], i) => {
    code.push(...square(a, q), ...square(a + 16, q + 16), ...simd.add, ...square(a + 32, q + 32), ...square(a + 48, q + 48), ...simd.add, ...simd.add);
    if (i > 0) code.push(...simd.add);
  });
  return [...code, ...set(ACC), ...lane(0), ...lane(1), op.f32Add, ...lane(2), ...lane(3), op.f32Add, op.f32Add];
}

/** When S ≤ bound: partial[I] = S, alive[into] = I and into += 1 (a dropped row stores nothing). */
function record(L: ReturnType<typeof layout>, into: number): number[] {
  return [
    ...get(S),
    ...get(BOUND),
    op.f32Gt,
    op.i32Eqz,
    op.if,
    VOID,
    ...get(I),
    ...i32(2),
    op.i32Shl,
    ...get(S),
    ...mem(op.f32Store, 2, L.partial),
    ...get(into),
    ...i32(2),
    op.i32Shl,
    ...get(I),
    ...mem(op.i32Store, 2, L.alive),
    ...get(into),
    ...i32(1),
    op.i32Add,
    ...set(into),
    op.end,
  ];
}

function scanBody(blocks: number): number[] {
  const L = layout(blocks);
  const regionBytes = CHUNK * BLOCK_BYTES;
  // The first pass sums FIRST_BLOCKS blocks before its check: hardly any row is dropped sooner.
  const first = Math.min(FIRST_BLOCKS, blocks);
  const offsets = (b: number) => [b * regionBytes, b * BLOCK_BYTES] as const;
  const firstOffsets = Array.from({ length: first }, (_, b) => offsets(b));
  const groups: (readonly [number, number])[][] = [];
  for (let b = first; b < blocks; b += GROUP_BLOCKS) {
    groups.push(Array.from({ length: Math.min(GROUP_BLOCKS, blocks - b) }, (_, i) => offsets(b + i)));
  }
  const loadProbe: number[] = [];
  for (let v = 0; v < first * 4; v++) loadProbe.push(...i32(L.query), ...mem(simd.load, 4, v * 16), ...set(Q0 + v));
  return [
    ...loadProbe,
    ...get(FROM),
    ...set(C),
    op.loop,
    VOID, // $chunks
    ...get(C),
    ...get(TO),
    op.i32GeU,
    op.if,
    VOID,
    ...get(TO),
    op.return,
    op.end,
    // CH = base + C × chunkBytes
    ...i32(L.base),
    ...get(C),
    ...i32(L.chunkBytes),
    op.i32Mul,
    op.i32Add,
    ...set(CH),

    // The first block of every row.
    ...i32(0),
    ...set(M),
    ...i32(0),
    ...set(I),
    ...get(CH),
    ...set(A),
    ...i32(L.query),
    ...set(QB),
    op.loop,
    VOID, // $first
    ...blockSum(firstOffsets, true),
    ...set(S),
    ...record(L, M),
    ...get(A),
    ...i32(BLOCK_BYTES),
    op.i32Add,
    ...set(A),
    ...get(I),
    ...i32(1),
    op.i32Add,
    ...set(I),
    ...get(I),
    ...i32(CHUNK),
    op.i32LtU,
    op.brIf,
    0, // → $first
    op.end,

    // The other blocks, a group at a time, for the rows still alive.
    op.block,
    VOID, // $done
    ...groups.flatMap((offsets) => [
      ...get(M),
      op.i32Eqz,
      op.brIf,
      0, // → $done
      ...i32(0),
      ...set(M2),
      ...i32(0),
      ...set(T),
      op.loop,
      VOID, // $alive
      // I = alive[T]; A = CH + I × 64
      ...get(T),
      ...i32(2),
      op.i32Shl,
      ...mem(op.i32Load, 2, L.alive),
      ...set(I),
      ...get(CH),
      ...get(I),
      ...i32(6),
      op.i32Shl,
      op.i32Add,
      ...set(A),
      // S = partial[I] + this group's blocks
      ...get(I),
      ...i32(2),
      op.i32Shl,
      ...mem(op.f32Load, 2, L.partial),
      ...blockSum(offsets),
      op.f32Add,
      ...set(S),
      ...record(L, M2),
      ...get(T),
      ...i32(1),
      op.i32Add,
      ...set(T),
      ...get(T),
      ...get(M),
      op.i32LtU,
      op.brIf,
      0, // → $alive
      op.end,
      ...get(M2),
      ...set(M),
    ]),
    op.end, // $done

    // Some row stayed within the bound: report this chunk.
    ...get(M),
    op.if,
    VOID,
    ...i32(L.count),
    ...get(M),
    ...mem(op.i32Store, 2, 0),
    ...get(C),
    op.return,
    op.end,
    ...get(C),
    ...i32(1),
    op.i32Add,
    ...set(C),
    op.br,
    0, // → $chunks
    op.end, // $chunks
    op.unreachable,
    op.end, // function
  ];
}

function moduleBytes(blocks: number): Uint8Array<ArrayBuffer> {
  const type = section(1, vector([[0x60, ...vector([[I32], [I32], [F32]]), ...vector([[I32]])]]));
  const imports = section(2, vector([[...name('m'), ...name('memory'), 0x02, 0x00, 0x01]]));
  const functions = section(3, vector([[0]]));
  const exports = section(7, vector([[...name('scan'), 0x00, 0]]));
  const locals = vector([
    [10, I32],
    [1, F32],
    [2 + 4 * Math.min(FIRST_BLOCKS, blocks), V128],
  ]);
  const body = [...locals, ...scanBody(blocks)];
  const code = section(10, vector([[...uleb(body.length), ...body]]));
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...functions, ...exports, ...code]);
}

/** Compiled once per row length and process; each index instantiates it over its own memory. */
const compiled = new Map<number, WebAssembly.Module>();

export type ScanKernel = (from: number, to: number, bound: number) => number;

/** The `scan` filter over `memory`, for rows of `blocks` × 16 float32 (see above). */
export function scanKernel(memory: WebAssembly.Memory, blocks: number): ScanKernel {
  let module = compiled.get(blocks);
  if (!module) {
    module = new WebAssembly.Module(moduleBytes(blocks));
    compiled.set(blocks, module);
  }
  const instance = new WebAssembly.Instance(module, { m: { memory } });
  return instance.exports.scan as ScanKernel;
}
