import { readFileSync } from 'node:fs';
import { DEMO_PASSWORD, Session } from '../tests/support/session';

/** Small helpers the benchmarks share. */

/** A positive number from the environment, or `fallback` when unset; anything else stops the run, naming the variable. */
export function positive(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!(value > 0) || !Number.isFinite(value)) throw new Error(`${name} must be a positive number, not "${raw}".`);
  return value;
}

export const now = () => performance.now();
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The nearest-rank percentile (`p` from 0 to 1) of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

/** The JSON of an answer with this status, or an error naming what was asked and what came back. */
export async function expectStatus<T>(response: Response, status: number, what: string): Promise<T> {
  const text = await response.text();
  if (response.status !== status) throw new Error(`${what}: expected ${status}, got ${response.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A demo user signed in at `baseUrl`. */
export async function signedIn(baseUrl: string, email: string): Promise<Session> {
  const session = new Session(baseUrl);
  if (!(await session.signIn(email, DEMO_PASSWORD)).ok) throw new Error(`sign-in of ${email} failed`);
  return session;
}

/**
 * Microseconds during which some task waited for a CPU, from the kernel's pressure stall
 * information (Linux ≥ 4.20), or null where there is none.
 */
export function cpuPressureMicros(): number | null {
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('some '));
    const total = some?.match(/total=(\d+)/)?.[1];
    return total === undefined ? null : Number(total);
  } catch {
    return null;
  }
}
