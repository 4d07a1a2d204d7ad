/**
 * Scoring every pair of a calibration set is n²/2 comparisons per recogniser: on the server it
 * runs in slices that hand the event loop back (calibrateInSlices), with the same result as the
 * synchronous calibrate() used by scripts and tests.
 */
import { describe, expect, it } from 'vitest';
import { calibrate, calibrateInSlices, type CalibrationSample, type EngineSpec } from '@/lib/recognition/calibration';

/** A repeatable set: `n` photos of n/4 people in two groups, random vectors for two recognisers. */
function randomSet(n: number, dims = 128): CalibrationSample[] {
  let seed = 7;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
  return Array.from({ length: n }, (_, i) => ({
    identity: `p${i % Math.ceil(n / 4)}`,
    group: i % 3 === 0 ? 'B' : 'A',
    vectors: { a: Float32Array.from({ length: dims }, random), ...(i % 10 === 0 ? {} : { b: Float32Array.from({ length: dims }, random) }) },
  }));
}

const ENGINES: EngineSpec[] = [
  { engineId: 'a', engineVersion: '1', metric: 'euclidean' },
  { engineId: 'b', engineVersion: '2', metric: 'cosine' },
];

describe('calibrateInSlices', () => {
  it('gives exactly the result calibrate() gives, reporting progress up to 1', async () => {
    const samples = randomSet(400);
    const fractions: number[] = [];
    const sliced = await calibrateInSlices(samples, ENGINES, { 'no face found': 2 }, (f) => void fractions.push(f), 0);
    expect(sliced).toEqual(calibrate(samples, ENGINES, { 'no face found': 2 }));
    expect(sliced.engines.map((e) => e.genuine.pairs + e.impostor.pairs)).toEqual([(400 * 399) / 2, (360 * 359) / 2]);
    // Slices of no length pause at every step: progress rises steadily to the end.
    expect(fractions.length).toBeGreaterThan(10);
    expect(fractions).toEqual([...fractions].sort((x, y) => x - y));
    expect(fractions.at(-1)).toBe(1);
    expect(fractions[0]).toBeGreaterThan(0);
  });

  it('lets timers and I/O run while it scores, never holding the event loop for long', async () => {
    const samples = randomSet(2000);
    const gaps: number[] = [];
    let last = performance.now();
    let running = true;
    const tick = () => {
      const now = performance.now();
      gaps.push(now - last);
      last = now;
      if (running) setTimeout(tick, 0);
    };
    setTimeout(tick, 0);
    const started = performance.now();
    await calibrateInSlices(samples, ENGINES);
    running = false;
    const took = performance.now() - started;
    // Two million pairs per recogniser take a good fraction of a second: the timer ran all along,
    // not once at the end (a synchronous calibrate() would give it one gap as long as the whole run).
    expect(took).toBeGreaterThan(100);
    expect(gaps.length).toBeGreaterThan(5);
    // 20 ms slices; generous room for a busy shared machine.
    expect(Math.max(...gaps)).toBeLessThan(Math.max(150, took / 3));
  });
});
