import { randomUUID } from 'node:crypto';
import type { Audit } from '@/lib/audit/mutations';
import type { Tx } from '@/lib/db/client';
import { HttpError } from '@/lib/http/errors';
import { retireIndex } from '@/lib/matching/registry';
import { CATEGORIES } from './schema';

/** A recogniser whose templates a snapshot must carry, at the version now running. */
export type SnapshotEngine = { engineId: string; engineVersion: string };

/**
 * A deployment matches against a frozen copy of the templates it is allowed to use
 * (docs/rules.md#snapshots: made at go-live, frozen while live, deleted within 24 h of the end).
 * Later edits to the watchlist do not reach a live deployment; the snapshot carries the
 * entry details an alert must show, so it does not depend on the entry still existing.
 */

function parseIds(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Creates (or replaces) the snapshot of a deployment, inside the caller's transaction, with the
 * templates of `engines` (the first stage's and the verifier's) for every image. Refuses with 409
 * `templates_pending` when an image lacks one — its templates are still being computed — rather
 * than freeze a watchlist that would silently never match some people.
 * Called by the deployment lifecycle at go-live, with the caller holding 'deployment:authorise'
 * or 'deployment:plan'. When `audit` is given the snapshot is recorded as 'snapshot.created'.
 */
export async function createSnapshot(tx: Tx, deploymentId: string, engines: readonly SnapshotEngine[], audit?: Audit) {
  const deployment = await tx.deployment.findUniqueOrThrow({
    where: { id: deploymentId },
    select: { watchlistIds: true, categories: true },
  });
  const watchlistIds = parseIds(deployment.watchlistIds);
  const categories = parseIds(deployment.categories).filter((c) => (CATEGORIES as readonly string[]).includes(c));

  const images = await tx.referenceImage.findMany({
    where: { entry: { watchlistId: { in: watchlistIds }, category: { in: categories } } },
    select: {
      id: true,
      templates: {
        where: { OR: engines.map((e) => ({ engineId: e.engineId, engineVersion: e.engineVersion })) },
        select: { engineId: true, engineVersion: true, dims: true, vector: true },
      },
      entry: { select: { id: true, watchlistId: true, reference: true, name: true, category: true } },
    },
  });
  const entryCount = new Set(images.map((image) => image.entry.id)).size;
  // People per category at go-live, for the deployment's published record (counts only, no names).
  const entriesOf = new Map<string, Set<string>>();
  for (const { entry } of images) {
    if (!entriesOf.has(entry.category)) entriesOf.set(entry.category, new Set());
    entriesOf.get(entry.category)!.add(entry.id);
  }
  const entriesByCategory = Object.fromEntries([...entriesOf].map(([category, ids]) => [category, ids.size]));
  for (const engine of engines) {
    const lacking = images.filter((image) => !image.templates.some((t) => t.engineId === engine.engineId)).length;
    if (lacking > 0) {
      throw new HttpError(
        409,
        'templates_pending',
        `${lacking} of ${images.length} reference images have no ${engine.engineId} template yet: they are still being computed, ` +
          'or some photos could not be analysed and must be replaced on their watchlist entries (see the Recognition page). ' +
          'Try again when that is done.',
        { engineId: engine.engineId, lacking, images: images.length },
      );
    }
  }

  await tx.watchlistSnapshot.deleteMany({ where: { deploymentId } });
  const snapshot = await tx.watchlistSnapshot.create({
    data: { deploymentId, entryCount, imageCount: images.length },
  });
  // Two bulk inserts whatever the watchlist's size (ids made here so the templates can point at their image).
  const rows = images.map((image) => ({ id: randomUUID(), image }));
  if (rows.length > 0) {
    await tx.snapshotImage.createMany({
      data: rows.map(({ id, image }) => ({
        id,
        snapshotId: snapshot.id,
        entryId: image.entry.id,
        referenceImageId: image.id,
        watchlistId: image.entry.watchlistId,
        reference: image.entry.reference,
        name: image.entry.name,
        category: image.entry.category,
      })),
    });
    await tx.snapshotTemplate.createMany({
      data: rows.flatMap(({ id, image }) => image.templates.map((template) => ({ snapshotImageId: id, ...template }))),
    });
  }
  await tx.deployment.update({ where: { id: deploymentId }, data: { snapshotPurgedAt: null } });
  await audit?.({
    action: 'snapshot.created',
    subjectType: 'deployment',
    subjectId: deploymentId,
    details: {
      entryCount,
      entriesByCategory,
      imageCount: images.length,
      watchlistIds,
      categories,
      engines: engines.map((e) => `${e.engineId}@${e.engineVersion}`),
    },
  });
  return { snapshotId: snapshot.id, entryCount, imageCount: images.length };
}

/**
 * Deletes a deployment's snapshot for good and stamps when. Idempotent. Called at the end of
 * a deployment and by the housekeeping job; audited as 'snapshot.purged' when `audit` is given
 * and there was something to purge.
 */
export async function purgeSnapshot(tx: Tx, deploymentId: string, audit?: Audit) {
  const existing = await tx.watchlistSnapshot.findUnique({ where: { deploymentId }, select: { id: true } });
  // The matcher's in-memory copy of the templates goes too (indexes are keyed by snapshot).
  if (existing) retireIndex(existing.id);
  const { count } = await tx.watchlistSnapshot.deleteMany({ where: { deploymentId } });
  await tx.deployment.update({ where: { id: deploymentId }, data: { snapshotPurgedAt: new Date() } });
  if (count > 0) await audit?.({ action: 'snapshot.purged', subjectType: 'deployment', subjectId: deploymentId });
  return { purged: count > 0 };
}
