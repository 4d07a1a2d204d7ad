/**
 * Candidate tickets and verification slots, in this process on a fresh database: a ticket is
 * bound to its face and used once; a candidate whose crop never came is recorded in the audit
 * trail with nothing about the face; one user cannot hold every verification slot.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { HttpError } from '@/lib/http/errors';
import { issueTicket, MAX_OPEN_TICKETS_PER_USER, openTicketCount, redeemTicket, sweepLapsedTickets, TICKET_TTL_MS } from '@/lib/live/candidate-tickets';
import { MAX_VERIFICATIONS_PER_USER, withVerificationSlot } from '@/lib/live/verification-slots';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

const scope = { userId: 'user-1', userEmail: 'operator@sightline.test', deploymentId: 'dep-1', cameraId: 'cam-1', trackId: 'track-1' };

beforeAll(async () => {
  // The audit trail names its actor by reference: the operator must exist.
  await getDb().user.create({ data: { id: scope.userId, email: scope.userEmail, name: 'Operator', role: 'operator', passwordHash: 'x' } });
});

function refusal(run: () => unknown): { status: number; code: string } | null {
  try {
    run();
    return null;
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, code: error.code };
    throw error;
  }
}

describe('candidate tickets', () => {
  it('are bound to the user, deployment, camera and face they were issued for, and used once', () => {
    const now = Date.now();
    const ticket = issueTicket(scope, now);
    for (const other of [{ userId: 'user-2' }, { deploymentId: 'dep-2' }, { cameraId: 'cam-2' }, { trackId: 'track-2' }]) {
      expect(refusal(() => redeemTicket(ticket, { ...scope, ...other }, now))).toEqual({ status: 409, code: 'crop_not_requested' });
    }
    expect(refusal(() => redeemTicket(ticket, scope, now + 1000))).toBeNull();
    expect(refusal(() => redeemTicket(ticket, scope, now + 1000))).toEqual({ status: 409, code: 'crop_not_requested' });
  });

  it('lapse, and a lapsed candidate is audited by camera and count, with nothing about the face', async () => {
    const now = Date.now();
    const lapsing = [issueTicket(scope, now), issueTicket({ ...scope, trackId: 'track-9' }, now)];
    const fresh = issueTicket(scope, now + TICKET_TTL_MS);
    expect(refusal(() => redeemTicket(lapsing[0]!, scope, now + TICKET_TTL_MS))).toEqual({ status: 409, code: 'crop_not_requested' });

    expect(await sweepLapsedTickets(now + TICKET_TTL_MS + 1)).toBe(2);
    const events = await getDb().auditEvent.findMany({ where: { action: 'probe.candidate_not_verified' } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorId: 'user-1', actorEmail: 'operator@sightline.test', subjectType: 'deployment', subjectId: 'dep-1' });
    expect(JSON.parse(events[0]!.details)).toEqual({ cameraId: 'cam-1', candidates: 2, askedWithinSeconds: TICKET_TTL_MS / 1000 });
    // The ticket that has not lapsed is still good; nothing else is left open.
    redeemTicket(fresh, scope, now + TICKET_TTL_MS + 2);
    expect(openTicketCount()).toBe(0);
  });

  it('are limited per user, so a client that never sends crops cannot grow the server without bound', () => {
    const now = Date.now();
    const held = Array.from({ length: MAX_OPEN_TICKETS_PER_USER }, (_, i) => issueTicket({ ...scope, trackId: `t${i}` }, now));
    expect(refusal(() => issueTicket(scope, now))).toEqual({ status: 429, code: 'too_many_unverified_candidates' });
    expect(refusal(() => issueTicket({ ...scope, userId: 'user-2' }, now))).toBeNull(); // another user is not held back
    held.forEach((ticket, i) => redeemTicket(ticket, { ...scope, trackId: `t${i}` }, now));
    expect(refusal(() => issueTicket(scope, now))).toBeNull();
  });
});

describe('verification slots', () => {
  it('lets one user hold a few verifications at once, refuses more with 429, and frees them however they end', async () => {
    const releases: (() => void)[] = [];
    const running = Array.from({ length: MAX_VERIFICATIONS_PER_USER }, (_, i) =>
      withVerificationSlot('busy-user', () => new Promise<number>((resolve) => releases.push(() => resolve(i)))),
    );
    await expect(withVerificationSlot('busy-user', async () => 'more')).rejects.toMatchObject({ status: 429, code: 'verification_busy' });
    await expect(withVerificationSlot('other-user', async () => 'theirs')).resolves.toBe('theirs');
    releases.forEach((release) => release());
    expect(await Promise.all(running)).toEqual([0, 1, 2, 3, 4, 5].slice(0, MAX_VERIFICATIONS_PER_USER));
    await expect(withVerificationSlot('busy-user', async () => { throw new Error('analyser stopped'); })).rejects.toThrow('analyser stopped');
    await expect(withVerificationSlot('busy-user', async () => 'again')).resolves.toBe('again');
  });
});
