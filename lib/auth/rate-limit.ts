import { processState } from '@/lib/process-state';

/**
 * Failed sign-in limiter, per account and per client address (a fixed window that starts
 * at the first failure). In memory on globalThis: one process serves the control room; a
 * multi-instance installation would move this into the database or Redis.
 *
 * Attempts refused while a window is full are counted here, not audited one by one: the caller
 * records the block once when it starts (recordSignInRefusal says which refusal is the first)
 * and the count once the window is over (takeEndedBlocks), so a flood of attempts cannot flood
 * the audit trail.
 */
type Window = { failures: number; resetAt: number; refused: number };
type Limits = { perAccount: number; perAddress: number; windowMs: number };
export type BlockScope = 'account' | 'address';

const windows = processState('signInFailures', () => new Map<string, Window>());
/** Windows that refused at least one attempt, until their count has been taken (takeEndedBlocks). */
const blocks = processState('signInBlocks', () => new Map<string, { scope: BlockScope; subject: string; window: Window }>());

function keys(email: string, ip: string | null): string[] {
  return ip ? [`account:${email}`, `address:${ip}`] : [`account:${email}`];
}

const keyOf = (scope: BlockScope, email: string, ip: string | null) => (scope === 'account' ? `account:${email}` : `address:${ip}`);

function active(key: string, now: number): Window | undefined {
  const w = windows.get(key);
  if (w && w.resetAt <= now) {
    // A window that refused attempts stays in `blocks` until its count is taken.
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
): { blocked: false } | { blocked: true; retryAfterSeconds: number; scope: BlockScope } {
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

/**
 * Counts an attempt refused because `scope`'s window is full (signInBlocked said so, just now).
 * `first` is true for the window's first refusal: the moment to record that a block started.
 */
export function recordSignInRefusal(email: string, ip: string | null, scope: BlockScope): { first: boolean; failures: number; blockedUntil: Date } {
  const key = keyOf(scope, email, ip);
  const w = windows.get(key);
  if (!w) throw new Error(`recordSignInRefusal: no ${scope} window is open`);
  w.refused += 1;
  if (w.refused === 1) blocks.set(key, { scope, subject: scope === 'account' ? email : ip!, window: w });
  return { first: w.refused === 1, failures: w.failures, blockedUntil: new Date(w.resetAt) };
}

export type EndedBlock = {
  scope: BlockScope;
  /** The account's email or the client's address. */
  subject: string;
  /** Attempts refused while the window was full. */
  refused: number;
  blockedUntil: Date;
};

/** The blocks whose window is over, each once, with how many attempts they refused. */
export function takeEndedBlocks(now = Date.now()): EndedBlock[] {
  const ended: EndedBlock[] = [];
  for (const [key, { scope, subject, window }] of blocks) {
    if (window.resetAt > now) continue;
    blocks.delete(key);
    ended.push({ scope, subject, refused: window.refused, blockedUntil: new Date(window.resetAt) });
  }
  return ended;
}

export function recordSignInFailure(email: string, ip: string | null, limits: Limits, now = Date.now()): void {
  for (const key of keys(email, ip)) {
    const w = active(key, now) ?? { failures: 0, resetAt: now + limits.windowMs, refused: 0 };
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
