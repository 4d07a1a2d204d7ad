import { processState } from '@/lib/process-state';

/**
 * Failed sign-in limiter, per account and per client address (a fixed window that starts
 * at the first failure). In memory on globalThis: one process serves the control room; a
 * multi-instance installation would move this into the database or Redis.
 */
type Window = { failures: number; resetAt: number };
type Limits = { perAccount: number; perAddress: number; windowMs: number };

const windows = processState('signInFailures', () => new Map<string, Window>());

function keys(email: string, ip: string | null): string[] {
  return ip ? [`account:${email}`, `address:${ip}`] : [`account:${email}`];
}

function active(key: string, now: number): Window | undefined {
  const w = windows.get(key);
  if (w && w.resetAt <= now) {
    windows.delete(key);
    return undefined;
  }
  return w;
}

/** Whether this account or address has used up its failures; with the seconds to wait. */
export function signInBlocked(
  email: string,
  ip: string | null,
  limits: Limits,
  now = Date.now(),
): { blocked: false } | { blocked: true; retryAfterSeconds: number; scope: 'account' | 'address' } {
  for (const key of keys(email, ip)) {
    const w = active(key, now);
    const scope = key.startsWith('account:') ? 'account' : 'address';
    const max = scope === 'account' ? limits.perAccount : limits.perAddress;
    if (w && w.failures >= max) {
      return { blocked: true, retryAfterSeconds: Math.ceil((w.resetAt - now) / 1000), scope };
    }
  }
  return { blocked: false };
}

export function recordSignInFailure(email: string, ip: string | null, limits: Limits, now = Date.now()): void {
  for (const key of keys(email, ip)) {
    const w = active(key, now) ?? { failures: 0, resetAt: now + limits.windowMs };
    w.failures += 1;
    windows.set(key, w);
  }
  // Bound memory under a spray of distinct emails.
  if (windows.size > 50_000) {
    for (const [key, w] of windows) if (w.resetAt <= now) windows.delete(key);
  }
}

/** A successful sign-in clears the account's count (not the address's). */
export function clearAccountFailures(email: string): void {
  windows.delete(`account:${email}`);
}
