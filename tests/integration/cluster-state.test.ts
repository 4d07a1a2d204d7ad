/**
 * What several instances share through PostgreSQL, played in this process by two Prisma clients
 * with pools of their own ("A" is getDb(), "B" a second client, lib/db/client.ts openSeparateDb):
 * whatever the database decides between two instances it decides between these two the same way.
 * Each check runs many calls at once, half on each, and would fail if the decision were taken in
 * one process's memory. PostgreSQL only (vitest.config.ts): SQLite serves one process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimAlert, raiseOrUpdateAlert, type MatchedFace } from '@/lib/alerts/mutations';
import { signInBlocked } from '@/lib/auth/data';
import { recordSignInFailure, recordSignInRefusal, takeEndedBlocks } from '@/lib/auth/mutations';
import { getDb, openSeparateDb } from '@/lib/db/client';
import { startRecurringJob } from '@/lib/jobs/recurring';
import { addCoverageMinutes, addFaceCounts } from '@/lib/live/mutations';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

let b: ReturnType<typeof openSeparateDb>;
/** Runs call i on instance A when i is even, on B when odd, all at once. */
const onBoth = <T>(n: number, call: (i: number) => Promise<T>) =>
  Promise.allSettled(Array.from({ length: n }, (_, i) => (i % 2 === 0 ? call(i) : b.run(() => call(i)))));

let deploymentId = '';
let cameraId = '';
const people: { id: string; email: string; name: string; role: 'operator' }[] = [];

beforeAll(async () => {
  b = openSeparateDb();
  const db = getDb();
  const planner = await db.user.create({ data: { email: 'planner@cluster.test', name: 'Planner', role: 'senior_officer', passwordHash: 'x' } });
  for (let i = 0; i < 10; i++) {
    const person = await db.user.create({ data: { email: `operator${i}@cluster.test`, name: `Operator ${i}`, role: 'operator', passwordHash: 'x' } });
    people.push({ id: person.id, email: person.email, name: person.name, role: 'operator' });
  }
  const now = Date.now();
  const deployment = await db.deployment.create({
    data: {
      name: 'Two instances',
      status: 'live',
      plannerId: planner.id,
      startsAt: new Date(now - 3600_000),
      endsAt: new Date(now + 3600_000),
      wentLiveAt: new Date(now - 3600_000),
    },
  });
  deploymentId = deployment.id;
  const camera = await db.camera.create({
    data: { deploymentId, name: 'Gate', lat: 51.5, lng: -0.14, heading: 0, fov: 60, rangeM: 30, sourceKind: 'file', sourceUrl: '/x.mp4' },
  });
  cameraId = camera.id;
});

afterAll(async () => {
  await b?.close();
});

function sighting(entryId: string, distance: number): MatchedFace {
  return {
    deploymentId,
    cameraId,
    entryId,
    referenceImageId: `ref-${entryId}`,
    watchlistId: 'wl',
    reference: `REF-${entryId}`,
    name: 'Someone',
    category: 'wanted',
    distance,
    candidateThreshold: 0.5,
    verification: { engineId: 'faceapi-128', engineVersion: '1', metric: 'euclidean', score: distance, threshold: 0.45 },
    crop: new Uint8Array([0xff, 0xd8, 0xff]),
    submittedBy: people[0]!,
    seenAt: new Date(),
  };
}

describe('state shared by two instances through PostgreSQL', () => {
  it('12 sightings of one face arriving at both at once give one alert with 12 sightings', async () => {
    const results = await onBoth(12, (i) => raiseOrUpdateAlert(sighting('entry-1', 0.3 + i / 1000)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const alerts = await getDb().alert.findMany({ where: { entryId: 'entry-1' }, select: { sightings: true, distance: true } });
    expect(alerts).toEqual([{ sightings: 12, distance: 0.3 }]);
    expect(await getDb().auditEvent.count({ where: { action: 'alert.raised' } })).toBe(1);
  });

  it('ten concurrent claims over both give exactly one holder; the others are told who holds it', async () => {
    const { alertId } = await raiseOrUpdateAlert(sighting('entry-2', 0.3));
    const results = await onBoth(10, (i) => claimAlert({ actor: people[i]!, ip: null }, alertId));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [people[i]!.id] : []));
    expect(won).toHaveLength(1);
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { status: number; message: string }] : []));
    expect(refusals.map((e) => e.status)).toEqual(Array(9).fill(409));
    const holder = people.find((p) => p.id === won[0])!;
    for (const e of refusals) expect(e.message).toContain(holder.name);
    expect((await getDb().alert.findUniqueOrThrow({ where: { id: alertId } })).claimedById).toBe(holder.id);
    expect(await getDb().auditEvent.count({ where: { action: 'alert.claimed', subjectId: alertId } })).toBe(1);
  });

  it('the sign-in limiter counts failures made on both, marks one first refusal and hands an ended block to one', async () => {
    const limits = { perAccount: 30, perAddress: 1000, windowMs: 60_000 };
    const email = 'target@cluster.test';
    const t0 = Date.now() + 365 * 86_400_000;
    const failures = await onBoth(30, () => recordSignInFailure(email, null, limits, t0));
    expect(failures.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await getDb().signInWindow.findUniqueOrThrow({ where: { key: `account:${email}` } })).failures).toBe(30);
    const block = await signInBlocked(email, null, limits, t0 + 1);
    if (!block.blocked) throw new Error('expected a block after 30 failures on two instances');

    const refusals = await onBoth(20, () => recordSignInRefusal(email, null, block));
    const firsts = refusals.filter((r) => r.status === 'fulfilled' && r.value.first);
    expect(refusals.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(firsts).toHaveLength(1);

    const taken = await onBoth(10, () => takeEndedBlocks(t0 + 60_000));
    const blocks = taken.flatMap((r) => (r.status === 'fulfilled' ? r.value : [])).filter((e) => e.subject === email);
    expect(blocks).toEqual([{ scope: 'account', subject: email, refused: 20, blockedUntil: new Date(t0 + 60_000) }]);
  });

  it('face counts flushed by both for the same minute add up', async () => {
    const minuteStart = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    const results = await onBoth(10, (i) =>
      Promise.all([addFaceCounts([{ deploymentId, cameraId, minuteStart, count: i + 1 }]), addCoverageMinutes([{ deploymentId, cameraId, minuteStart }])]),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect((await getDb().faceCount.findMany({ where: { cameraId }, select: { count: true } })).map((r) => r.count)).toEqual([55]);
    expect(await getDb().coverageMinute.count({ where: { cameraId } })).toBe(1);
    expect((await getDb().deployment.findUniqueOrThrow({ where: { id: deploymentId } })).facesProcessed).toBe(55);
  });

  it('a job started on both runs on one of them, every interval, until it stops; then on the other; a per-instance job runs on each', async () => {
    const runs: string[] = [];
    const job = (instance: string) => async () => {
      runs.push(instance);
      await new Promise((resolve) => setTimeout(resolve, 20));
      return null;
    };
    const quiet = { log: () => {}, error: (...args: unknown[]) => runs.push(`error ${String(args)}`) };
    const stops: Record<string, () => Promise<void>> = {
      A: startRecurringJob('cluster-test', 200, job('A'), quiet),
      B: await b.run(async () => startRecurringJob('cluster-test', 200, job('B'), quiet)),
    };
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const leader = runs[0]!;
    const other = leader === 'A' ? 'B' : 'A';
    // Started at once, ticking every 200 ms each: without the lead both would have run about six times.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(runs.length).toBeLessThanOrEqual(7);
    expect(new Set(runs)).toEqual(new Set([leader]));

    // The leader stops (its connection closes, and the lock with it): the other takes over at its next tick.
    await stops[leader]!();
    const before = runs.length;
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(runs.slice(before).length).toBeGreaterThanOrEqual(1);
    expect(new Set(runs.slice(before))).toEqual(new Set([other]));
    await stops[other]!();

    const each = [
      startRecurringJob('per-instance-test', 3600_000, job('A'), quiet, { everyInstance: true }),
      startRecurringJob('per-instance-test', 3600_000, job('B'), quiet, { everyInstance: true }),
    ];
    await Promise.all(each.map((stop) => stop()));
    expect(runs.slice(-2).sort()).toEqual(['A', 'B']);
  });
});
