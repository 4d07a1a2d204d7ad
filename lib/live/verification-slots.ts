import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';

/**
 * A fair share of the verifier. Verification runs on one or two worker threads for the whole
 * server (a few dozen crops a second): one user — a wall of cameras in a busy street, a broken
 * client, or someone sending crops on purpose — must not queue so many that every other control
 * room's candidates wait behind theirs. Each user may have MAX_VERIFICATIONS_PER_USER crops being
 * verified at once; more gets 429 `verification_busy` at once, and the tile tries again shortly
 * with the same ticket.
 */

export const MAX_VERIFICATIONS_PER_USER = 6;

const inFlight = processState('verificationsInFlight', () => new Map<string, number>());

/** Runs `verify` in one of `userId`'s verification slots, or refuses with 429 when all are taken. */
export async function withVerificationSlot<T>(userId: string, verify: () => Promise<T>): Promise<T> {
  const held = inFlight.get(userId) ?? 0;
  if (held >= MAX_VERIFICATIONS_PER_USER) {
    throw new HttpError(429, 'verification_busy', `${held} of your candidates are being verified already; this one will be tried again in a moment.`);
  }
  inFlight.set(userId, held + 1);
  try {
    return await verify();
  } finally {
    const left = (inFlight.get(userId) ?? 1) - 1;
    if (left > 0) inFlight.set(userId, left);
    else inFlight.delete(userId);
  }
}
