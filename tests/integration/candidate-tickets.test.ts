/**
 * Candidate tickets and verification slots, in this process on a fresh database: a ticket is
 * bound to its face and used once; a candidate that goes unverified is recorded in the audit
 * trail with nothing about the face; one user cannot hold every verification slot.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { HttpError } from '@/lib/http/errors';
import {
  issueTicket,
  MAX_OPEN_TICKETS_PER_USER,
  openTicketCount,
  reserveTicket,
  sweepLapsedTickets,
  tallyUnverified,
  TICKET_TTL_MS,
} from '@/lib/live/candidate-tickets';
import { MAX_VERIFICATIONS_PER_USER, withVerificationSlot } from '@/lib/live/verification-slots';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

const scope = { userId: 'user-1', userEmail: 'operator@sightline.test', deploymentId: 'dep-1', cameraId: 'cam-1', trackId: 'track-1' };

beforeAll(async () => {
  // The audit trail names its actor by reference: the operators must exist.
  await getDb().user.create({ data: { id: scope.userId, email: scope.userEmail, name: 'Operator', role: 'operator', passwordHash: 'x' } });
  await getDb().user.create({ data: { id: 'user-2', email: 'operator2@sightline.test', name: 'Operator 2', role: 'operator', passwordHash: 'x' } });
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

const ENTRIES = ['entry-a', 'entry-b'];

let mark = 0;

beforeEach(async () => {
  // Each test starts with nothing open or tallied; earlier records are before the mark.
  await sweepLapsedTickets(Date.now() + 10 * TICKET_TTL_MS);
  mark = (await getDb().auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } }))?.seq ?? 0;
});

/** The audit records of unverified candidates this test's sweeps wrote. */
async function unverifiedRecords() {
  const events = await getDb().auditEvent.findMany({ where: { action: 'probe.candidate_not_verified', seq: { gt: mark } }, orderBy: { seq: 'asc' } });
  return events.map((e) => ({ actorId: e.actorId, subjectId: e.subjectId, details: JSON.parse(e.details) as Record<string, unknown> }));
}

describe('candidate tickets', () => {
  it('are bound to the user, deployment, camera, face and candidate entries they were issued for, and used once', () => {
    const now = Date.now();
    const ticket = issueTicket(scope, ENTRIES, now);
    for (const other of [{ userId: 'user-2' }, { deploymentId: 'dep-2' }, { cameraId: 'cam-2' }, { trackId: 'track-2' }]) {
      expect(refusal(() => reserveTicket(ticket, { ...scope, ...other }, ENTRIES, now))).toEqual({ status: 409, code: 'crop_not_requested' });
    }
    // A follow-up whose face is near none of the entries that made it a candidate is another face.
    expect(refusal(() => reserveTicket(ticket, scope, ['entry-z'], now))).toEqual({ status: 409, code: 'crop_not_requested' });
    expect(refusal(() => reserveTicket(ticket, scope, [], now))).toEqual({ status: 409, code: 'crop_not_requested' });
    const reservation = reserveTicket(ticket, scope, ['entry-b', 'entry-z'], now + 1000);
    // Reserved while its crop is verified: a second presentation at the same time is refused.
    expect(refusal(() => reserveTicket(ticket, scope, ENTRIES, now + 1000))).toEqual({ status: 409, code: 'crop_not_requested' });
    reservation.verified();
    expect(refusal(() => reserveTicket(ticket, scope, ENTRIES, now + 1000))).toEqual({ status: 409, code: 'crop_not_requested' });
    expect(openTicketCount()).toBe(0);
  });

  it('stay usable when the server could not finish, and are used up by an outcome', () => {
    const now = Date.now();
    const ticket = issueTicket(scope, ENTRIES, now);
    reserveTicket(ticket, scope, ENTRIES, now).release(); // e.g. the analyser was busy
    reserveTicket(ticket, scope, ENTRIES, now).unverified('no face in the crop');
    expect(openTicketCount()).toBe(0);
  });

  it('record every candidate that went unverified, by camera, reason and count, with nothing about the face', async () => {
    const now = Date.now();
    const lapsing = [issueTicket(scope, ENTRIES, now), issueTicket({ ...scope, trackId: 'track-9' }, ENTRIES, now)];
    const fresh = issueTicket(scope, ENTRIES, now + TICKET_TTL_MS);
    expect(refusal(() => reserveTicket(lapsing[0]!, scope, ENTRIES, now + TICKET_TTL_MS))).toEqual({ status: 409, code: 'crop_not_requested' });
    reserveTicket(issueTicket(scope, ENTRIES, now), scope, ENTRIES, now).unverified('crop unusable');
    tallyUnverified({ ...scope, cameraId: 'cam-2' }, 'no face in the crop');

    expect(await sweepLapsedTickets(now + TICKET_TTL_MS + 1)).toBe(4);
    const records = await unverifiedRecords();
    expect(records).toHaveLength(3);
    for (const record of records) expect(record).toMatchObject({ actorId: 'user-1', subjectId: 'dep-1' });
    expect(records.map((r) => r.details)).toEqual(
      expect.arrayContaining([
        { cameraId: 'cam-1', candidates: 2, reason: 'crop never sent' },
        { cameraId: 'cam-1', candidates: 1, reason: 'crop unusable' },
        { cameraId: 'cam-2', candidates: 1, reason: 'no face in the crop' },
      ]),
    );
    // Recorded once: the next sweep has nothing new. The ticket that has not lapsed is still good.
    expect(await sweepLapsedTickets(now + TICKET_TTL_MS + 2)).toBe(0);
    reserveTicket(fresh, scope, ENTRIES, now + TICKET_TTL_MS + 2).verified();
    expect(openTicketCount()).toBe(0);
  });

  it('are limited per user, so a client that never sends crops cannot grow the server without bound', async () => {
    const now = Date.now();
    const held = Array.from({ length: MAX_OPEN_TICKETS_PER_USER }, (_, i) => issueTicket({ ...scope, trackId: `t${i}` }, ENTRIES, now));
    expect(refusal(() => issueTicket(scope, ENTRIES, now))).toEqual({ status: 429, code: 'too_many_unverified_candidates' });
    expect(refusal(() => issueTicket({ ...scope, userId: 'user-2' }, ENTRIES, now))).toBeNull(); // another user is not held back
    held.forEach((ticket, i) => reserveTicket(ticket, { ...scope, trackId: `t${i}` }, ENTRIES, now).verified());
    expect(refusal(() => issueTicket(scope, ENTRIES, now))).toBeNull();
    // The candidate refused a ticket is recorded too.
    await sweepLapsedTickets(now + 2 * TICKET_TTL_MS);
    expect((await unverifiedRecords()).map((r) => r.details)).toContainEqual({ cameraId: 'cam-1', candidates: 1, reason: 'too many open candidates' });
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
    await expect(
      withVerificationSlot('busy-user', async () => {
        throw new Error('analyser stopped');
      }),
    ).rejects.toThrow('analyser stopped');
    await expect(withVerificationSlot('busy-user', async () => 'again')).resolves.toBe('again');
  });
});
