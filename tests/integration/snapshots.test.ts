import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { bytesToVector, vectorToBytes } from '@/lib/recognition/vectors';
import { purgeTemplatesOfStoppedRecognisers } from '@/lib/watchlists/mutations';
import { createSnapshot, purgeSnapshot } from '@/lib/watchlists/snapshots';
import { useFreshDatabase } from '../support/in-process-db';

// In-process: the snapshot functions against a fresh database of the configured kind.
useFreshDatabase();

const template = (seed: number) => Float32Array.from({ length: 128 }, (_, i) => Math.sin(seed * 31 + i) / 4);
const wide = (seed: number) => Float32Array.from({ length: 512 }, (_, i) => Math.cos(seed * 17 + i) / 20);
const ENGINES = [
  { engineId: 'faceapi-128', engineVersion: '1.7.15' },
  { engineId: 'onnx-test', engineVersion: '2' },
];

/** A fresh set of people, watchlists and a deployment; `tag` keeps each test's names apart. */
async function seed(tag = '') {
  const db = getDb();
  const admin = await db.user.create({ data: { email: `a${tag}@x.test`, name: 'A', role: 'admin', passwordHash: 'x' } });
  const officer = await db.user.create({ data: { email: `o${tag}@x.test`, name: 'O', role: 'senior_officer', passwordHash: 'x' } });
  const listA = await db.watchlist.create({ data: { name: `A${tag}`, createdById: admin.id } });
  const listB = await db.watchlist.create({ data: { name: `B${tag}`, createdById: admin.id } });
  const addEntry = async (watchlistId: string, reference: string, category: string, seedValue: number) =>
    db.watchlistEntry.create({
      data: {
        watchlistId,
        reference,
        name: reference,
        category,
        imageSource: 's',
        legalBasis: 'l',
        imageTakenOn: new Date('2026-01-01'),
        reviewBy: new Date('2027-01-01'),
        addedById: admin.id,
        images: {
          create: [
            {
              mediaType: 'image/jpeg',
              bytes: Buffer.from([1]),
              width: 100,
              height: 100,
              boxX: 0,
              boxY: 0,
              boxWidth: 90,
              boxHeight: 90,
              detectionScore: 0.99,
              templates: {
                create: [
                  { engineId: 'faceapi-128', engineVersion: '1.7.15', dims: 128, vector: Buffer.from(vectorToBytes(template(seedValue))) },
                  // A stronger recogniser's template, of another length, as an ONNX model would give.
                  { engineId: 'onnx-test', engineVersion: '2', dims: 512, vector: Buffer.from(vectorToBytes(wide(seedValue))) },
                ],
              },
            },
          ],
        },
      },
    });
  const wanted = await addEntry(listA.id, 'A-1', 'wanted_by_court', 1);
  await addEntry(listA.id, 'A-2', 'missing_vulnerable', 2); // category not authorised
  await addEntry(listB.id, 'B-1', 'wanted_by_court', 3); // watchlist not authorised
  const deployment = await db.deployment.create({
    data: {
      name: 'D',
      status: 'authorised',
      plannerId: officer.id,
      watchlistIds: JSON.stringify([listA.id]),
      categories: JSON.stringify(['wanted_by_court']),
    },
  });
  return { db, listA, wanted, deployment };
}

describe('watchlist snapshots', () => {
  it('copies only the authorised watchlists and categories, stays frozen, and is purged for good', async () => {
    const { db, listA, wanted, deployment } = await seed();
    const result = await db.$transaction((tx) => createSnapshot(tx, deployment.id, ENGINES));
    expect(result).toMatchObject({ entryCount: 1, imageCount: 1 });

    const items = await db.snapshotImage.findMany({
      where: { snapshot: { deploymentId: deployment.id } },
      include: { templates: { orderBy: { engineId: 'asc' } } },
    });
    expect(items.map((i) => i.reference)).toEqual(['A-1']);
    // Each template keeps its recogniser, version and length.
    expect(items[0]!.templates.map((t) => [t.engineId, t.engineVersion, t.dims])).toEqual([
      ['faceapi-128', '1.7.15', 128],
      ['onnx-test', '2', 512],
    ]);
    expect(Array.from(bytesToVector(items[0]!.templates[0]!.vector, 128))).toEqual(Array.from(template(1)));
    expect(Array.from(bytesToVector(items[0]!.templates[1]!.vector, 512))).toEqual(Array.from(wide(1)));

    // Later changes to the watchlist do not reach the snapshot.
    await db.watchlistEntry.delete({ where: { id: wanted.id } });
    await db.watchlistEntry.create({
      data: {
        watchlistId: listA.id,
        reference: 'A-3',
        name: 'new',
        category: 'wanted_by_court',
        imageSource: 's',
        legalBasis: 'l',
        imageTakenOn: new Date('2026-01-01'),
        reviewBy: new Date('2027-01-01'),
        addedById: (await db.user.findFirstOrThrow()).id,
      },
    });
    const after = await db.snapshotImage.findMany({ where: { snapshot: { deploymentId: deployment.id } } });
    expect(after.map((i) => i.reference)).toEqual(['A-1']);

    const purge = await db.$transaction((tx) => purgeSnapshot(tx, deployment.id));
    expect(purge).toEqual({ purged: true });
    expect(await db.snapshotImage.count()).toBe(0);
    expect(await db.snapshotTemplate.count()).toBe(0);
    expect(await db.watchlistSnapshot.count()).toBe(0);
    expect((await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).snapshotPurgedAt).toBeInstanceOf(Date);
    expect(await db.$transaction((tx) => purgeSnapshot(tx, deployment.id))).toEqual({ purged: false });
  });

  it('copies only the recognisers asked for, and refuses while an image lacks one of their templates', async () => {
    const { db, deployment } = await seed('-2');
    await db.$transaction((tx) => createSnapshot(tx, deployment.id, ENGINES.slice(0, 1)));
    const frozen = await db.snapshotTemplate.findMany({ where: { snapshotImage: { snapshot: { deploymentId: deployment.id } } }, select: { engineId: true } });
    expect(frozen).toEqual([{ engineId: 'faceapi-128' }]);

    // A recogniser enabled after enrolment (or a new version of one): its templates are still being computed.
    const refusal = db.$transaction((tx) => createSnapshot(tx, deployment.id, [...ENGINES, { engineId: 'onnx-later', engineVersion: '1' }]));
    await expect(refusal).rejects.toMatchObject({ status: 409, code: 'templates_pending', details: { engineId: 'onnx-later', lacking: 1, images: 1 } });
    await expect(refusal).rejects.toThrow(/1 of 1 reference images have no onnx-later template yet/);
    // …or some photos cannot be analysed again, and only replacing them will do.
    await expect(refusal).rejects.toThrow(/some photos could not be analysed and must be replaced on their watchlist entries \(see the Recognition page\)/);
    // So is a template made by another version of a model.
    await expect(db.$transaction((tx) => createSnapshot(tx, deployment.id, [{ engineId: 'onnx-test', engineVersion: '3' }]))).rejects.toMatchObject({
      code: 'templates_pending',
    });
  });

  it('at start-up, deletes the templates of recognisers no longer running, audited with counts only; snapshots keep theirs', async () => {
    const { db, deployment } = await seed('-3');
    await db.$transaction((tx) => createSnapshot(tx, deployment.id, ENGINES));
    const before = await db.faceTemplate.count({ where: { engineId: 'onnx-test' } });
    expect(before).toBeGreaterThan(0);

    // The ONNX model is no longer configured: only face-api runs.
    expect(await purgeTemplatesOfStoppedRecognisers([ENGINES[0]!])).toBe(before);
    expect(await db.faceTemplate.count({ where: { engineId: 'onnx-test' } })).toBe(0);
    expect(await db.faceTemplate.count({ where: { engineId: 'faceapi-128' } })).toBeGreaterThan(0);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'templates.purged' } });
    expect(JSON.parse(event.details)).toEqual({ removed: { 'onnx-test@2': before }, reason: 'recogniser no longer running' });
    // A live deployment's frozen snapshot is its own copy, untouched.
    expect(await db.snapshotTemplate.count({ where: { engineId: 'onnx-test', snapshotImage: { snapshot: { deploymentId: deployment.id } } } })).toBe(1);
    // Nothing stale: nothing deleted, nothing recorded.
    expect(await purgeTemplatesOfStoppedRecognisers([ENGINES[0]!])).toBe(0);
    expect(await db.auditEvent.count({ where: { action: 'templates.purged' } })).toBe(1);
  });
});
