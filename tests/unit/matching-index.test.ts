import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { descriptorToBytes } from '@/lib/face/descriptor';
import { isMatch, MAX_CANDIDATES, TemplateIndex, type TemplateRow } from '@/lib/matching/index';
import { dropIndex, getIndex as getMatcher } from '@/lib/matching/registry';
import { processState } from '@/lib/process-state';
import { seededRandom } from '../support/seeded-random';

const DIMS = 128;

/** mulberry32, so a failure reproduces. */

function descriptors(seed: number) {
  const { random, gaussian } = seededRandom(seed);
  return {
    /** Face-like: values within about ±0.3, norm about 1. */
    person: () => Float32Array.from({ length: DIMS }, () => gaussian() / Math.sqrt(DIMS)),
    /** Another photo of the same person: distance about 0.3. */
    near: (d: Float32Array) => d.map((v) => v + (gaussian() * 0.3) / Math.sqrt(DIMS)),
    pick: (n: number) => Math.floor(random() * n),
  };
}

function rowsOf(list: Float32Array[], imagesPerEntry = 1): TemplateRow[] {
  return list.map((descriptor, i) => ({
    entryId: `entry-${Math.floor(i / imagesPerEntry)}`,
    referenceImageId: `image-${i}`,
    descriptor,
  }));
}

/** The reference: number arrays, Math.hypot, the first of equal minima. */
function bruteForce(list: Float32Array[], probe: Float32Array): { row: number; distance: number } | null {
  const p = Array.from(probe);
  let best: { row: number; distance: number } | null = null;
  list.forEach((d, row) => {
    const distance = Math.hypot(...Array.from(d, (v, i) => v - p[i]!));
    if (!best || distance < best.distance) best = { row, distance };
  });
  return best;
}

function expectSameAsReference(index: TemplateIndex, list: Float32Array[], rows: TemplateRow[], probe: Float32Array) {
  const want = bruteForce(list, probe);
  const got = index.nearest(probe);
  if (!want) return expect(got).toBeNull();
  expect(got).not.toBeNull();
  expect(got!.row).toBe(want.row);
  expect(got!.entryId).toBe(rows[want.row]!.entryId);
  expect(got!.referenceImageId).toBe(rows[want.row]!.referenceImageId);
  expect(got!.distance).toBeCloseTo(want.distance, 12);
}

/**
 * Brute force: every row within `within`, nearest first, lower row first on equal distances. The
 * plainest exact scan there is — the squared differences summed in doubles, dimension by dimension
 * — whose distances the index must reproduce to the last bit.
 */
function allWithin(list: Float32Array[], probe: Float32Array, within: number) {
  return list
    .map((d, row) => {
      let sum = 0;
      for (let i = 0; i < d.length; i++) sum += (d[i]! - probe[i]!) ** 2;
      return { row, distance: Math.sqrt(sum) };
    })
    .filter((c) => c.distance <= within)
    .sort((a, b) => a.distance - b.distance || a.row - b.row);
}

describe('TemplateIndex against a brute-force reference', () => {
  it('an empty index finds nothing', () => {
    const index = new TemplateIndex([]);
    const probe = descriptors(1).person();
    expect(index.size).toBe(0);
    expect(index.nearest(probe)).toBeNull();
    expect(index.nearest(probe, { within: 10 })).toBeNull();
  });

  it('a single template is always the nearest, with its true distance', () => {
    const gen = descriptors(2);
    const list = [gen.person()];
    const rows = rowsOf(list);
    const index = new TemplateIndex(rows);
    for (let i = 0; i < 20; i++) expectSameAsReference(index, list, rows, i % 2 ? gen.near(list[0]!) : gen.person());
  });

  for (const n of [2, 3, 15, 16, 17, 100, 1000, 3000]) {
    it(`agrees on ${n} random templates, for near and far probes`, () => {
      const gen = descriptors(1000 + n);
      const list = Array.from({ length: n }, gen.person);
      const rows = rowsOf(list);
      const index = new TemplateIndex(rows);
      for (let i = 0; i < 40; i++) {
        const probe = i % 2 === 0 ? gen.near(list[gen.pick(n)]!) : gen.person();
        expectSameAsReference(index, list, rows, probe);
      }
      // Far from everything, and exactly on a template.
      expectSameAsReference(index, list, rows, new Float32Array(DIMS).fill(3));
      const exact = list[gen.pick(n)]!;
      expectSameAsReference(index, list, rows, exact);
      expect(index.nearest(exact)!.distance).toBe(0);
    });
  }

  it('reports the entry of the nearest image when entries have several images', () => {
    const gen = descriptors(3);
    const list = Array.from({ length: 300 }, gen.person);
    const rows = rowsOf(list, 3);
    const index = new TemplateIndex(rows);
    expect(index.size).toBe(300);
    expect(index.entryCount).toBe(100);
    for (let i = 0; i < 30; i++) {
      const target = gen.pick(300);
      const probe = gen.near(list[target]!);
      expectSameAsReference(index, list, rows, probe);
      expect(index.nearest(probe)!.entryId).toBe(`entry-${Math.floor(target / 3)}`);
    }
  });

  it('gives equal distances to the lowest row, duplicates included', () => {
    const gen = descriptors(4);
    const list = Array.from({ length: 50 }, gen.person);
    list[31] = list[7]!.slice();
    list[44] = list[7]!.slice();
    const index = new TemplateIndex(rowsOf(list));
    expect(index.nearest(gen.near(list[7]!))!.row).toBe(7);
    expect(index.nearest(list[44]!)!.row).toBe(7);
  });

  it('breaks a tie by row even when the later row looks better in the first dimensions', () => {
    // Exact in floating point: both are 0.5 from the probe, row 1 only after dimension 16.
    const zero = new Float32Array(DIMS);
    const early = new Float32Array(DIMS);
    early[0] = 0.5;
    const late = new Float32Array(DIMS);
    late[100] = 0.5;
    const far = new Float32Array(DIMS).fill(1);
    const index = new TemplateIndex(rowsOf([far, early, late]));
    expect(index.nearest(zero)).toMatchObject({ row: 1, distance: 0.5 });
    const reversed = new TemplateIndex(rowsOf([far, late, early]));
    expect(reversed.nearest(zero)).toMatchObject({ row: 1, distance: 0.5 });
  });

  it('builds from the 512-byte stored form, even at an odd offset in a larger buffer', () => {
    const gen = descriptors(5);
    const list = Array.from({ length: 64 }, gen.person);
    const fromFloats = new TemplateIndex(rowsOf(list));
    const fromBytes = new TemplateIndex(
      list.map((d, i) => {
        const pooled = Buffer.concat([Buffer.from([9]), Buffer.from(descriptorToBytes(d))]);
        return { entryId: `entry-${i}`, referenceImageId: `image-${i}`, descriptor: pooled.subarray(1) };
      }),
    );
    for (let i = 0; i < 20; i++) {
      const probe = i % 2 ? gen.person() : gen.near(list[gen.pick(64)]!);
      expect(fromBytes.nearest(probe)).toEqual(fromFloats.nearest(probe));
    }
  });

  it('refuses a corrupt template, naming it', () => {
    const good = descriptors(6).person();
    const bad = good.slice();
    bad[5] = Number.NaN;
    const cases: TemplateRow['descriptor'][] = [new Float32Array(127), bad, new Uint8Array(511), descriptorToBytes(good).slice(0, 508)];
    for (const descriptor of cases) {
      const rows = [
        { entryId: 'e0', referenceImageId: 'img-0', descriptor: good },
        { entryId: 'e1', referenceImageId: 'img-1', descriptor },
      ];
      expect(() => new TemplateIndex(rows)).toThrow(/Template 1 \(reference image img-1\)/);
    }
  });

  it('refuses a probe that is not 128 finite numbers', () => {
    const index = new TemplateIndex(rowsOf([descriptors(7).person()]));
    const nan = new Float32Array(DIMS);
    nan[127] = Number.NaN;
    const infinite = new Float32Array(DIMS);
    infinite[0] = Number.POSITIVE_INFINITY;
    for (const probe of [new Float32Array(127), new Float32Array(129), nan, infinite, Array(DIMS).fill(0) as unknown as Float32Array]) {
      expect(() => index.nearest(probe)).toThrow(RangeError);
    }
  });
});

describe('threshold semantics', () => {
  it('isMatch: at or under the threshold is a match', () => {
    expect(isMatch(0.6, 0.6)).toBe(true);
    expect(isMatch(0.59, 0.6)).toBe(true);
    expect(isMatch(0.6000001, 0.6)).toBe(false);
  });

  it('`within` returns the nearest only when it is a match, and the same one', () => {
    const gen = descriptors(8);
    const list = Array.from({ length: 500 }, gen.person);
    const index = new TemplateIndex(rowsOf(list));
    let matches = 0;
    for (let i = 0; i < 60; i++) {
      const probe = i % 2 === 0 ? gen.near(list[gen.pick(500)]!) : gen.person();
      const nearest = index.nearest(probe)!;
      const within = index.nearest(probe, { within: 0.6 });
      if (isMatch(nearest.distance, 0.6)) {
        matches += 1;
        expect(within).toEqual(nearest);
      } else {
        expect(within).toBeNull();
      }
    }
    expect(matches).toBeGreaterThan(20); // the near probes
  });

  it('a template exactly at the bound is a match, a hair beyond is not', () => {
    const gen = descriptors(9);
    const list = Array.from({ length: 200 }, gen.person);
    const index = new TemplateIndex(rowsOf(list));
    const probe = gen.person();
    const { distance, row } = index.nearest(probe)!;
    expect(index.nearest(probe, { within: distance })!.row).toBe(row);
    expect(index.nearest(probe, { within: distance * (1 - 1e-9) })).toBeNull();
    expect(index.nearest(list[3]!, { within: 0 })!.row).toBe(3);
  });

  it('refuses a bound that is not a distance', () => {
    const index = new TemplateIndex(rowsOf([descriptors(10).person()]));
    const probe = descriptors(11).person();
    expect(() => index.nearest(probe, { within: -0.1 })).toThrow(RangeError);
    expect(() => index.nearest(probe, { within: Number.NaN })).toThrow(RangeError);
  });
});

describe('candidates: the first stage keeps the nearest few', () => {
  it('finds the same rows, in the same order, as a brute-force scan', () => {
    const gen = descriptors(21);
    const people = Array.from({ length: 60 }, () => gen.person());
    // Several photos of some people, so that candidates crowd around a probe.
    const list = [...people, ...people.slice(0, 20).map((d) => gen.near(d)), ...people.slice(0, 10).map((d) => gen.near(d))];
    const rows = rowsOf(list);
    const index = new TemplateIndex(rows);
    for (let i = 0; i < 40; i++) {
      const probe = i % 2 ? gen.near(people[gen.pick(30)]!) : gen.person();
      for (const limit of [1, 3, 8]) {
        for (const within of [0.5, 1.2, 10]) {
          const want = allWithin(list, probe, within).slice(0, limit);
          const got = index.candidates(probe, { within, limit });
          expect(got.map((c) => c.row)).toEqual(want.map((c) => c.row));
          got.forEach((c, k) => {
            expect(c.distance).toBeCloseTo(want[k]!.distance, 12);
            expect(c.entryId).toBe(rows[c.row]!.entryId);
          });
        }
      }
    }
  });

  it('gives the nearest first, the same as nearest(), and nothing outside the bound', () => {
    const gen = descriptors(22);
    const list = Array.from({ length: 200 }, () => gen.person());
    const index = new TemplateIndex(rowsOf(list));
    const probe = gen.near(list[17]!);
    expect(index.candidates(probe, { within: 10, limit: 5 })[0]).toEqual(index.nearest(probe));
    expect(index.candidates(probe, { within: 0.01, limit: 5 })).toEqual([]);
  });

  it('breaks ties towards the lowest row, as nearest() does', () => {
    const d = descriptors(23).person();
    const index = new TemplateIndex(rowsOf([d, d, d, d]));
    expect(index.candidates(d, { within: 1, limit: 3 }).map((c) => c.row)).toEqual([0, 1, 2]);
  });

  it('refuses a limit outside 1 to MAX_CANDIDATES', () => {
    const index = new TemplateIndex(rowsOf([descriptors(24).person()]));
    const probe = descriptors(25).person();
    for (const limit of [0, MAX_CANDIDATES + 1, 1.5]) expect(() => index.candidates(probe, { within: 1, limit })).toThrow(RangeError);
  });

  it('works for rows of any length, and refuses a probe of another length', () => {
    const { gaussian } = seededRandom(26);
    for (const dims of [512, 100, 3]) {
      const vector = () => Float32Array.from({ length: dims }, () => gaussian() / Math.sqrt(dims));
      const list = Array.from({ length: 70 }, vector);
      const index = new TemplateIndex(rowsOf(list), dims);
      for (let i = 0; i < 10; i++) {
        const probe = i % 2 ? vector() : list[(i * 7) % 70]!.map((v) => v + 0.01 * gaussian());
        const want = allWithin(list, probe, Infinity).slice(0, 5);
        const got = index.candidates(probe, { within: 100, limit: 5 });
        expect(got.map((c) => c.row)).toEqual(want.map((c) => c.row));
        got.forEach((c, k) => expect(c.distance).toBeCloseTo(want[k]!.distance, 12));
      }
      expect(() => index.nearest(new Float32Array(dims + 1))).toThrow(RangeError);
    }
    expect(() => new TemplateIndex(rowsOf([descriptors(27).person()]), 100)).toThrow(/Template 0/);
    for (const dims of [0, 1.5, -16, 5000]) expect(() => new TemplateIndex([], dims)).toThrow(RangeError);
    // More than a 4 GiB memory holds is refused before any row is read (the rows here are holes).
    expect(() => new TemplateIndex(new Array<TemplateRow>(300_000), 4096)).toThrow(/more than one matcher holds/);
  });

  it('agrees with a brute force across chunk boundaries, for every limit and bound', () => {
    // The index stores rows in chunks of 64: sizes around one and two chunks, with copies of a
    // row in another chunk (a tie that must go to the lower row), at bounds that cut the list anywhere.
    const gen = descriptors(28);
    for (const n of [63, 64, 65, 130]) {
      const list = Array.from({ length: n }, gen.person);
      list[n - 1] = list[3]!.slice();
      list[Math.floor(n / 2)] = list[3]!.slice();
      const rows = rowsOf(list, 2);
      const index = new TemplateIndex(rows);
      for (let i = 0; i < 12; i++) {
        const probe = i % 3 === 0 ? gen.near(list[3]!) : i % 3 === 1 ? gen.near(list[gen.pick(n)]!) : gen.person();
        const everything = allWithin(list, probe, Infinity);
        for (let limit = 1; limit <= MAX_CANDIDATES; limit++) {
          // Bounds: nothing, exactly the k-th distance for several k, everything.
          const bounds = [everything[0]!.distance * 0.99, ...[0, 1, 3, 7].map((k) => everything[k]!.distance), Infinity];
          for (const within of bounds) {
            const want = everything.filter((c) => c.distance <= within).slice(0, limit);
            const got = index.candidates(probe, { within, limit });
            expect(got.map((c) => c.row)).toEqual(want.map((c) => c.row));
            got.forEach((c, k) => {
              expect(c.distance).toBe(want[k]!.distance);
              expect(c.referenceImageId).toBe(rows[c.row]!.referenceImageId);
              expect(c.entryId).toBe(rows[c.row]!.entryId);
            });
          }
        }
      }
    }
  });

  it('never loses a template lying exactly at the bound to float32 rounding', () => {
    // The fast filter sums in float32, which rounds some sums up past the bound; the index must
    // still report the template whose exact distance is the bound itself, every time.
    const gen = descriptors(29);
    const list = Array.from({ length: 300 }, gen.person);
    const index = new TemplateIndex(rowsOf(list));
    for (let i = 0; i < 100; i++) {
      const probe = i % 2 ? gen.person() : gen.near(list[gen.pick(300)]!);
      const [nearest, second] = allWithin(list, probe, Infinity);
      expect(index.nearest(probe, { within: nearest!.distance })?.row).toBe(nearest!.row);
      expect(index.candidates(probe, { within: second!.distance, limit: 8 }).map((c) => c.row)).toEqual([nearest!.row, second!.row]);
    }
  });

  it('an empty index has no candidates', () => {
    expect(new TemplateIndex([]).candidates(descriptors(30).person(), { within: 10, limit: 8 })).toEqual([]);
  });

  it('many indexes can be alive at once (one WebAssembly memory each)', () => {
    const gen = descriptors(31);
    const indexes = Array.from(
      { length: 200 },
      (_, i) => new TemplateIndex(rowsOf([gen.person(), gen.person()]).map((r) => ({ ...r, entryId: `entry-${i}` }))),
    );
    const probe = gen.person();
    for (const index of indexes) expect(index.nearest(probe)?.entryId).toBe(index.candidates(probe, { within: 10, limit: 1 })[0]?.entryId);
    expect(new Set(indexes.map((ix) => ix.nearest(probe)!.entryId)).size).toBe(200);
  });

  it('holds at most 1.2× the raw 512 bytes per template, ids included', () => {
    // Measured as the bench does: heap and external memory after a garbage collection, before the
    // rows are made and once the index is built and the rows dropped; ids as long as cuids.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const gen = descriptors(32);
    const n = 20_000;
    const cuid = (prefix: string, i: number) => `${prefix}${i.toString(36).padStart(24, '0')}`;
    new TemplateIndex(rowsOf([gen.person()])); // the kernel, compiled once per process, is not counted
    const used = () => {
      gc();
      gc();
      const { heapUsed, external } = process.memoryUsage();
      return heapUsed + external;
    };
    const before = used();
    // The rows exist only inside this call, as the snapshot's rows do while the matcher is built.
    const build = () =>
      new TemplateIndex(
        Array.from({ length: n }, (_, i) => ({ entryId: cuid('e', i), referenceImageId: cuid('i', i), descriptor: descriptorToBytes(gen.person()) })),
      );
    const index = build();
    const perTemplate = (used() - before) / n;
    expect(perTemplate).toBeGreaterThan(512);
    expect(perTemplate).toBeLessThanOrEqual(1.2 * 512);
    expect(index.nearest(gen.person())?.referenceImageId).toMatch(/^i0{0,24}[0-9a-z]+$/);
  });
});

describe('index registry', () => {
  const rows = rowsOf([descriptors(12).person()]);
  /** The registry holds whatever a build makes; the live pipeline builds indexes from rows. */
  const getIndex = (key: string, load: () => Promise<TemplateRow[]> | TemplateRow[]) => getMatcher(key, async () => new TemplateIndex(await load()));

  it('builds once for simultaneous first probes, then reuses the index', async () => {
    let loads = 0;
    const load = async () => {
      loads += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return rows;
    };
    const [a, b] = await Promise.all([getIndex('dep-once', load), getIndex('dep-once', load)]);
    expect(a).toBe(b);
    expect(await getIndex('dep-once', load)).toBe(a);
    expect(loads).toBe(1);
    expect(dropIndex('dep-once')).toBe(true);
  });

  it('builds afresh after a drop (the snapshot changed)', async () => {
    const first = await getIndex('dep-drop', async () => rows);
    expect(dropIndex('dep-drop')).toBe(true);
    expect(dropIndex('dep-drop')).toBe(false);
    const second = await getIndex('dep-drop', async () => []);
    expect(second).not.toBe(first);
    expect(second.size).toBe(0);
    dropIndex('dep-drop');
  });

  it('forgets a failed build so the next probe retries', async () => {
    await expect(getIndex('dep-fail', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    await expect(
      getIndex('dep-fail', () => {
        throw new Error('thrown at once');
      }),
    ).rejects.toThrow('thrown at once');
    const corrupt = [{ entryId: 'e', referenceImageId: 'i', descriptor: new Uint8Array(3) }];
    await expect(getIndex('dep-fail', async () => corrupt)).rejects.toThrow(RangeError);
    expect((await getIndex('dep-fail', async () => rows)).size).toBe(1);
    dropIndex('dep-fail');
  });

  it('keeps one registry per process, shared by every module instance', async () => {
    const index = await getIndex('dep-global', async () => rows);
    expect(processState('matchIndexes', () => new Map<string, unknown>()).has('dep-global')).toBe(true);
    expect(index.size).toBe(1);
    dropIndex('dep-global');
  });
});
