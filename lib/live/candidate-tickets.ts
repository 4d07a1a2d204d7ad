import { randomBytes } from 'node:crypto';
import { recordAuditEvent } from '@/lib/audit/mutations';
import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';

/**
 * Tickets for candidates' crops. When the first stage finds a face near the watchlist, the server
 * asks the tile for the face's crop and hands it a ticket; the follow-up that carries the crop must
 * present it. The ticket is what makes the follow-up a follow-up:
 *
 * - the face was counted when it was first sent, and only a ticketed follow-up is exempt from
 *   counting again — a client cannot leave faces out of the counts (the basis of the observed
 *   false-alert rate) by calling every probe a follow-up;
 * - a candidate that is never verified is not forgotten silently. Its ticket lapsing, a follow-up
 *   whose crop shows no face or cannot be used, a candidate refused a ticket: each is tallied and
 *   recorded in the audit trail (by user, deployment, camera and reason — how many, never anything
 *   about the face), since a tile that stops sending crops, or sends the wrong ones, hides
 *   possible matches.
 *
 * A ticket is bound to the user, deployment, camera and face track it was issued for, and to the
 * watchlist entries that made the face a candidate: a follow-up whose face is not near any of them
 * is not the face asked for. It is reserved while its crop is verified and used up only when the
 * verification has an outcome; a failure of the server's (busy analyser, database) releases it so
 * the tile can send again. Valid for TICKET_TTL_MS; memory only — a restart forgets them, and the
 * tile sends the face again. Server only.
 */

export const TICKET_TTL_MS = 15_000;
/** Outstanding tickets per user: a working tile redeems each within a second; more is a broken or hostile client. */
export const MAX_OPEN_TICKETS_PER_USER = 200;
const SWEEP_EVERY_MS = 5_000;

export type TicketScope = { userId: string; userEmail: string; deploymentId: string; cameraId: string; trackId: string };

/** Why a candidate went unverified, as the audit trail records it. */
export type UnverifiedReason = 'crop never sent' | 'no face in the crop' | 'crop unusable' | 'too many open candidates';

type Ticket = TicketScope & { entryIds: ReadonlySet<string>; expiresAt: number; reserved: boolean };
type Tally = { scope: TicketScope; reason: UnverifiedReason; count: number };

type State = {
  tickets: Map<string, Ticket>;
  openByUser: Map<string, number>;
  /** Unverified candidates not yet recorded, by user, deployment, camera and reason. */
  tallies: Map<string, Tally>;
  sweeper: NodeJS.Timeout | null;
};
const state = processState<State>('candidateTickets', () => ({ tickets: new Map(), openByUser: new Map(), tallies: new Map(), sweeper: null }));

/** Counts a candidate that will not be verified, for the next sweep to record. */
export function tallyUnverified(scope: TicketScope, reason: UnverifiedReason): void {
  const key = `${scope.userId}|${scope.deploymentId}|${scope.cameraId}|${reason}`;
  const tally = state.tallies.get(key) ?? { scope, reason, count: 0 };
  tally.count++;
  state.tallies.set(key, tally);
  startSweeping();
}

/** Issues a ticket for a candidate's crop. 429 when the user already holds too many (tallied). */
export function issueTicket(scope: TicketScope, entryIds: readonly string[], now = Date.now()): string {
  const open = state.openByUser.get(scope.userId) ?? 0;
  if (open >= MAX_OPEN_TICKETS_PER_USER) {
    tallyUnverified(scope, 'too many open candidates');
    throw new HttpError(
      429,
      'too_many_unverified_candidates',
      `${open} candidates asked for in the last ${TICKET_TTL_MS / 1000} s are still waiting for their crops; send those first.`,
    );
  }
  const ticket = randomBytes(16).toString('base64url');
  state.tickets.set(ticket, { ...scope, entryIds: new Set(entryIds), expiresAt: now + TICKET_TTL_MS, reserved: false });
  state.openByUser.set(scope.userId, open + 1);
  startSweeping();
  return ticket;
}

export type Reservation = {
  /** The crop was verified (match or not): the ticket is used up. */
  verified(): void;
  /** The crop cannot be verified (no face, unusable): the ticket is used up and the candidate tallied. */
  unverified(reason: UnverifiedReason): void;
  /** The server could not finish (busy, stopped, database): the ticket may be presented again. */
  release(): void;
};

/**
 * Reserves a ticket presented with a crop, for the follow-up of `scope` whose first stage found
 * `entryIds`. 409 `crop_not_requested` when there is no such ticket, it has lapsed or is being
 * used, it was issued for another user, deployment, camera or face track, or this face is near
 * none of the entries that made it a candidate. The ticket stays (and lapses) on a refusal.
 */
export function reserveTicket(ticket: string, scope: TicketScope, entryIds: readonly string[], now = Date.now()): Reservation {
  const held = state.tickets.get(ticket);
  const matches =
    held !== undefined &&
    !held.reserved &&
    held.expiresAt > now &&
    held.userId === scope.userId &&
    held.deploymentId === scope.deploymentId &&
    held.cameraId === scope.cameraId &&
    held.trackId === scope.trackId;
  if (!matches) {
    throw new HttpError(
      409,
      'crop_not_requested',
      `This crop was not asked for, or was asked for more than ${TICKET_TTL_MS / 1000} s ago or for another face: send the face again without its crop.`,
    );
  }
  if (!entryIds.some((id) => held.entryIds.has(id))) {
    throw new HttpError(409, 'crop_not_requested', 'This probe does not describe the face whose crop was asked for: send the face again without its crop.');
  }
  held.reserved = true;
  let settled = false;
  const settle = (use: boolean) => {
    if (settled) return;
    settled = true;
    if (use) forget(ticket, held);
    else held.reserved = false;
  };
  return {
    verified: () => settle(true),
    unverified: (reason) => {
      if (!settled) tallyUnverified(held, reason);
      settle(true);
    },
    release: () => settle(false),
  };
}

function forget(ticket: string, held: Ticket) {
  state.tickets.delete(ticket);
  const left = (state.openByUser.get(held.userId) ?? 1) - 1;
  if (left > 0) state.openByUser.set(held.userId, left);
  else state.openByUser.delete(held.userId);
}

function startSweeping() {
  state.sweeper ??= setInterval(() => void sweepLapsedTickets(), SWEEP_EVERY_MS).unref();
}

/**
 * Forgets lapsed tickets (tallied as "crop never sent") and records every tally in the audit
 * trail, one event per user, deployment, camera and reason. Runs every few seconds while there is
 * anything to do; exported for tests. Returns how many candidates it recorded.
 */
export async function sweepLapsedTickets(now = Date.now()): Promise<number> {
  for (const [ticket, held] of state.tickets) {
    // A reserved ticket is being verified: its outcome settles it.
    if (held.expiresAt > now || held.reserved) continue;
    forget(ticket, held);
    tallyUnverified(held, 'crop never sent');
  }
  const tallies = [...state.tallies.values()];
  state.tallies.clear();
  if (state.tickets.size === 0 && state.sweeper) {
    clearInterval(state.sweeper);
    state.sweeper = null;
  }
  for (const { scope, reason, count } of tallies) {
    await recordAuditEvent({
      action: 'probe.candidate_not_verified',
      actorId: scope.userId,
      actorEmail: scope.userEmail,
      subjectType: 'deployment',
      subjectId: scope.deploymentId,
      details: { cameraId: scope.cameraId, candidates: count, reason },
    }).catch((error: unknown) => console.error('[probes] could not record unverified candidates', error));
  }
  return tallies.reduce((sum, t) => sum + t.count, 0);
}

/** Tickets still open (tests and diagnostics). */
export function openTicketCount(): number {
  return state.tickets.size;
}
