/**
 * Seeded random numbers for tests and benchmarks (mulberry32 and Box–Muller), so every run
 * builds the same synthetic descriptors and measures or checks the same data.
 */
export function seededRandom(seed: number): { random: () => number; gaussian: () => number } {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return { random, gaussian };
}
