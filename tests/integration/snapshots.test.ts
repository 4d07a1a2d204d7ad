import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { bytesToDescriptor, descriptorToBytes } from '@/lib/face/descriptor';
import { createSnapshot, purgeSnapshot } from '@/lib/watchlists/snapshots';
import { useFreshDatabase } from '../support/in-process-db';

// In-process: the snapshot functions against a fresh database of the configured kind.
useFreshDatabase();

const template = (seed: number) => Float32Array.from({ length: 128 }, (_, i) => Math.sin(seed * 31 + i) / 4);

async function seed() {
  const db = getDb();
  const admin = await db.user.create({ data: { email: 'a@x.test', name: 'A', role: 'admin', passwordHash: 'x' } });
  const officer = await db.user.create({ data: { email: 'o@x.test', name: 'O', role: 'senior_officer', passwordHash: 'x' } });
  const listA = await db.watchlist.create({ data: { name: 'A', createdById: admin.id } });
  const listB = await db.watchlist.create({ data: { name: 'B', createdById: admin.id } });
  const addEntry = async (watchlistId: string, reference: string, category: string, seedValue: number) =>
    db.watchlistEntry.create({
      data: {
        watchlistId, reference, name: reference, category, imageSource: 's', legalBasis: 'l',
        imageTakenOn: new Date('2026-01-01'), reviewBy: new Date('2027-01-01'), addedById: admin.id,
        images: {
          create: [{
            mediaType: 'image/jpeg', bytes: Buffer.from([1]), width: 100, height: 100, boxX: 0, boxY: 0, boxWidth: 90, boxHeight: 90,
            detectionScore: 0.99, descriptor: Buffer.from(descriptorToBytes(template(seedValue))),
          }],
        },
      },
    });
  const wanted = await addEntry(listA.id, 'A-1', 'wanted_by_court', 1);
  await addEntry(listA.id, 'A-2', 'missing_vulnerable', 2); // category not authorised
  await addEntry(listB.id, 'B-1', 'wanted_by_court', 3); // watchlist not authorised
  const deployment = await db.deployment.create({
    data: {
      name: 'D', status: 'authorised', plannerId: officer.id,
      watchlistIds: JSON.stringify([listA.id]), categories: JSON.stringify(['wanted_by_court']),
    },
  });
  return { db, listA, wanted, deployment };
}

describe('watchlist snapshots', () => {
  it('copies only the authorised watchlists and categories, stays frozen, and is purged for good', async () => {
    const { db, listA, wanted, deployment } = await seed();
    const result = await db.$transaction((tx) => createSnapshot(tx, deployment.id));
    expect(result).toMatchObject({ entryCount: 1, imageCount: 1 });

    const items = await db.snapshotImage.findMany({ where: { snapshot: { deploymentId: deployment.id } } });
    expect(items.map((i) => i.reference)).toEqual(['A-1']);
    expect(Array.from(bytesToDescriptor(items[0]!.descriptor))).toEqual(Array.from(template(1)));

    // Later changes to the watchlist do not reach the snapshot.
    await db.watchlistEntry.delete({ where: { id: wanted.id } });
    await db.watchlistEntry.create({
      data: {
        watchlistId: listA.id, reference: 'A-3', name: 'new', category: 'wanted_by_court', imageSource: 's', legalBasis: 'l',
        imageTakenOn: new Date('2026-01-01'), reviewBy: new Date('2027-01-01'), addedById: (await db.user.findFirstOrThrow()).id,
      },
    });
    const after = await db.snapshotImage.findMany({ where: { snapshot: { deploymentId: deployment.id } } });
    expect(after.map((i) => i.reference)).toEqual(['A-1']);

    const purge = await db.$transaction((tx) => purgeSnapshot(tx, deployment.id));
    expect(purge).toEqual({ purged: true });
    expect(await db.snapshotImage.count()).toBe(0);
    expect(await db.watchlistSnapshot.count()).toBe(0);
    expect((await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).snapshotPurgedAt).toBeInstanceOf(Date);
    expect(await db.$transaction((tx) => purgeSnapshot(tx, deployment.id))).toEqual({ purged: false });
  });
});
