/**
 * Failed sign-in limiter, per account and per client address: a fixed window that starts at the
 * first failure. The windows are rows in the database (SignInWindow, read in ./data.ts, written
 * in ./mutations.ts), so every instance of a cluster counts the same failures: two instances
 * failing at once both count (an atomic increment), and an account blocked on one is blocked on
 * all.
 *
 * Attempts refused while a window is full are counted (SignInBlock), not audited one by one: the
 * caller records the block once when it starts (recordSignInRefusal says which refusal is the
 * first, across all instances) and the count once the window is over (takeEndedBlocks hands each
 * ended block to one instance only), so a flood of attempts cannot flood the audit trail.
 */
export type Limits = { perAccount: number; perAddress: number; windowMs: number };
export type BlockScope = 'account' | 'address';

export type Block = {
  blocked: true;
  retryAfterSeconds: number;
  scope: BlockScope;
  /** The failures that filled the window, and when it is over. */
  failures: number;
  blockedUntil: Date;
};

export type EndedBlock = {
  scope: BlockScope;
  /** The account's email or the client's address. */
  subject: string;
  /** Attempts refused while the window was full. */
  refused: number;
  blockedUntil: Date;
};

export const accountKey = (email: string) => `account:${email}`;
export const addressKey = (ip: string) => `address:${ip}`;

/** The windows an attempt counts against: its account's, and its address's when known. */
export function windowKeys(email: string, ip: string | null): { key: string; scope: BlockScope }[] {
  const account = { key: accountKey(email), scope: 'account' as const };
  return ip ? [account, { key: addressKey(ip), scope: 'address' as const }] : [account];
}

/** One block row per full window: the window's key and its end, so a later window of the same key is another block. */
export const blockId = (key: string, blockedUntil: Date) => `${key}|${blockedUntil.getTime()}`;
