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
 * - a candidate whose crop never arrives is not forgotten silently: when its ticket lapses, the
 *   audit trail records that candidates of that camera went unverified (how many, by whom, never
 *   anything about the face), since a tile that stops sending crops hides possible matches.
 *
 * A ticket is bound to the user, deployment, camera and face track it was issued for, used once,
 * and valid for TICKET_TTL_MS. Memory only: a restart forgets them, and the tile sends the face
 * again. Server only.
 */

export const TICKET_TTL_MS = 15_000;
/** Outstanding tickets per user: a working tile redeems each within a second; more is a broken or hostile client. */
export const MAX_OPEN_TICKETS_PER_USER = 200;
const SWEEP_EVERY_MS = 5_000;

export type TicketScope = { userId: string; userEmail: string; deploymentId: string; cameraId: string; trackId: string };
type Ticket = TicketScope & { expiresAt: number };

type State = { tickets: Map<string, Ticket>; openByUser: Map<string, number>; sweeper: NodeJS.Timeout | null };
const state = processState<State>('candidateTickets', () => ({ tickets: new Map(), openByUser: new Map(), sweeper: null }));

/** Issues a ticket for a candidate's crop. 429 when the user already holds too many. */
export function issueTicket(scope: TicketScope, now = Date.now()): string {
  const open = state.openByUser.get(scope.userId) ?? 0;
  if (open >= MAX_OPEN_TICKETS_PER_USER) {
    throw new HttpError(
      429,
      'too_many_unverified_candidates',
      `${open} candidates asked for in the last ${TICKET_TTL_MS / 1000} s are still waiting for their crops; send those first.`,
    );
  }
  const ticket = randomBytes(16).toString('base64url');
  state.tickets.set(ticket, { ...scope, expiresAt: now + TICKET_TTL_MS });
  state.openByUser.set(scope.userId, open + 1);
  state.sweeper ??= setInterval(() => void sweepLapsedTickets(), SWEEP_EVERY_MS).unref();
  return ticket;
}

/**
 * Uses up a ticket presented with a crop. 409 `crop_not_requested` when there is no such ticket,
 * it has lapsed, or it was issued for another user, deployment, camera or face: the tile should
 * send the face again without its crop.
 */
export function redeemTicket(ticket: string, scope: TicketScope, now = Date.now()): void {
  const held = state.tickets.get(ticket);
  const matches =
    held &&
    held.expiresAt > now &&
    held.userId === scope.userId &&
    held.deploymentId === scope.deploymentId &&
    held.cameraId === scope.cameraId &&
    held.trackId === scope.trackId;
  if (!held || !matches) {
    throw new HttpError(
      409,
      'crop_not_requested',
      `This crop was not asked for, or was asked for more than ${TICKET_TTL_MS / 1000} s ago or for another face: send the face again without its crop.`,
    );
  }
  forget(ticket, held);
}

function forget(ticket: string, held: Ticket) {
  state.tickets.delete(ticket);
  const left = (state.openByUser.get(held.userId) ?? 1) - 1;
  if (left > 0) state.openByUser.set(held.userId, left);
  else state.openByUser.delete(held.userId);
}

/**
 * Forgets lapsed tickets and records each (user, deployment, camera) that let candidates lapse,
 * with how many. Runs every few seconds while tickets are open; exported for tests.
 */
export async function sweepLapsedTickets(now = Date.now()): Promise<number> {
  const lapsed = new Map<string, { scope: Ticket; count: number }>();
  for (const [ticket, held] of state.tickets) {
    if (held.expiresAt > now) continue;
    forget(ticket, held);
    const key = `${held.userId}|${held.deploymentId}|${held.cameraId}`;
    const group = lapsed.get(key) ?? { scope: held, count: 0 };
    group.count++;
    lapsed.set(key, group);
  }
  if (state.tickets.size === 0 && state.sweeper) {
    clearInterval(state.sweeper);
    state.sweeper = null;
  }
  for (const { scope, count } of lapsed.values()) {
    await recordAuditEvent({
      action: 'probe.candidate_not_verified',
      actorId: scope.userId,
      actorEmail: scope.userEmail,
      subjectType: 'deployment',
      subjectId: scope.deploymentId,
      details: { cameraId: scope.cameraId, candidates: count, askedWithinSeconds: TICKET_TTL_MS / 1000 },
    }).catch((error: unknown) => console.error('[probes] could not record lapsed candidates', error));
  }
  return [...lapsed.values()].reduce((sum, g) => sum + g.count, 0);
}

/** Tickets still open (tests and diagnostics). */
export function openTicketCount(): number {
  return state.tickets.size;
}
