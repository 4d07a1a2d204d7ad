import { serverEnv } from '@/lib/config/env';
import { HttpError, retryAfter } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';
import { TokenBucket, type BucketSettings } from './token-bucket';

/**
 * What one socket, and one user, may send to the live pipeline: probes through token buckets
 * (per socket, and per user over every socket and HTTP together), and socket connections up to a
 * cap per user. The figures come from the environment (lib/config/env.ts explains the defaults:
 * well above anything a camera wall sends), so only a broken or hostile client meets them.
 *
 * A refusal is a 429 `rate_limited` (over the socket, the ack `{ error: 'rate_limited' }`) or a
 * handshake refused with `too_many_connections`. Refusals are counted per process — shown by
 * /api/health and logged at most once a minute — and never audited one by one: a flood must not
 * turn into a flood of audit records.
 *
 * Server only. One process serves the control room; several would need a shared store.
 */

export type RefusalCounts = { probesOverSocketRate: number; probesOverUserRate: number; connectionsOverCap: number };
type RefusalKind = keyof RefusalCounts;

type State = {
  userBuckets: Map<string, TokenBucket>;
  sweptAt: number;
  total: RefusalCounts;
  sinceLogged: RefusalCounts;
  logger: NodeJS.Timeout | null;
};

const none = (): RefusalCounts => ({ probesOverSocketRate: 0, probesOverUserRate: 0, connectionsOverCap: 0 });
const state = processState<State>('liveLimits', () => ({ userBuckets: new Map(), sweptAt: 0, total: none(), sinceLogged: none(), logger: null }));

const LOG_EVERY_MS = 60_000;
const SWEEP_EVERY_MS = 60_000;

function socketSettings(): BucketSettings {
  const env = serverEnv();
  return { perSecond: env.PROBES_PER_SECOND_PER_SOCKET, burst: env.PROBE_BURST_PER_SOCKET };
}

function userSettings(): BucketSettings {
  const env = serverEnv();
  return { perSecond: env.PROBES_PER_SECOND_PER_USER, burst: env.PROBE_BURST_PER_USER };
}

/** A new socket's own probe bucket (kept by the socket's handler, gone with the socket). */
export function socketProbeBucket(now = Date.now()): TokenBucket {
  return new TokenBucket(socketSettings(), now);
}

/** Takes one probe from a socket's bucket, or refuses with 429 `rate_limited` (counted). */
export function takeSocketProbe(bucket: TokenBucket, now = Date.now()): void {
  if (bucket.take(now)) return;
  count('probesOverSocketRate');
  throw rateLimited('this connection', bucket, now);
}

/** Takes one probe from the user's bucket (socket and HTTP alike), or refuses with 429 `rate_limited` (counted). */
export function takeUserProbe(userId: string, now = Date.now()): void {
  sweepUserBuckets(now);
  let bucket = state.userBuckets.get(userId);
  if (!bucket) {
    bucket = new TokenBucket(userSettings(), now);
    state.userBuckets.set(userId, bucket);
  }
  if (bucket.take(now)) return;
  count('probesOverUserRate');
  throw rateLimited('your account', bucket, now);
}

function rateLimited(from: string, bucket: TokenBucket, now: number): HttpError {
  const { perSecond, burst } = bucket.settings;
  const retryAfterMs = bucket.waitMs(now);
  // Retry-After (whole seconds, at least 1) for HTTP senders; the milliseconds in the body for tiles.
  return retryAfter(
    new HttpError(
      429,
      'rate_limited',
      `Too many probes from ${from}: at most ${perSecond} a second (bursts of ${burst}). This one was not processed; send again in ${retryAfterMs} ms.`,
      { retryAfterMs },
    ),
    retryAfterMs / 1000,
  );
}

/** Full buckets are the same as new ones: forgotten, so users who stopped sending cost nothing. */
function sweepUserBuckets(now: number): void {
  if (now - state.sweptAt < SWEEP_EVERY_MS) return;
  state.sweptAt = now;
  for (const [userId, bucket] of state.userBuckets) if (bucket.isFull(now)) state.userBuckets.delete(userId);
}

/** Socket connections one user may hold at once. */
export function maxSocketsPerUser(): number {
  return serverEnv().MAX_SOCKETS_PER_USER;
}

/** Counts a handshake refused by the per-user connection cap. */
export function countRefusedConnection(): void {
  count('connectionsOverCap');
}

/** Refusals since the process started. */
export function refusalCounts(): RefusalCounts {
  return { ...state.total };
}

function count(kind: RefusalKind): void {
  state.total[kind] += 1;
  state.sinceLogged[kind] += 1;
  if (state.logger) return;
  // One line a minute while refusals go on; the timer stops after a quiet minute.
  state.logger = setInterval(() => {
    const counts = state.sinceLogged;
    if (counts.probesOverSocketRate + counts.probesOverUserRate + counts.connectionsOverCap === 0) {
      clearInterval(state.logger!);
      state.logger = null;
      return;
    }
    console.warn(
      `[limits] refused in the last minute: ${counts.probesOverSocketRate} probes over a socket's rate, ` +
        `${counts.probesOverUserRate} over a user's rate, ${counts.connectionsOverCap} connections over a user's cap`,
    );
    state.sinceLogged = none();
  }, LOG_EVERY_MS);
  state.logger.unref();
}
