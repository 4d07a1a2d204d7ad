import type { Audit } from '@/lib/audit/mutations';
import type { Tx } from '@/lib/db/client';
import { dropIndex } from '@/lib/matching/registry';
import { CATEGORIES } from './schema';

/**
 * A deployment matches against a frozen copy of the templates it is allowed to use
 * (DOMAIN.md: a snapshot made at go-live, frozen while live, deleted within 24 h of the end).
 * Later edits to the watchlist do not reach a live deployment; the snapshot carries the
 * entry details an alert must show, so it does not depend on the entry still existing.
 */

function parseIds(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Creates (or replaces) the snapshot of a deployment, inside the caller's transaction.
 * Called by the deployment lifecycle at go-live, with the caller holding 'deployment:authorise'
 * or 'deployment:plan'. When `audit` is given the snapshot is recorded as 'snapshot.created'.
 */
export async function createSnapshot(tx: Tx, deploymentId: string, audit?: Audit) {
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
      descriptor: true,
      entry: { select: { id: true, watchlistId: true, reference: true, name: true, category: true } },
    },
  });
  const entryCount = new Set(images.map((image) => image.entry.id)).size;

  await tx.watchlistSnapshot.deleteMany({ where: { deploymentId } });
  const snapshot = await tx.watchlistSnapshot.create({
    data: { deploymentId, entryCount, imageCount: images.length },
  });
  if (images.length > 0) {
    await tx.snapshotImage.createMany({
      data: images.map((image) => ({
        snapshotId: snapshot.id,
        entryId: image.entry.id,
        referenceImageId: image.id,
        watchlistId: image.entry.watchlistId,
        reference: image.entry.reference,
        name: image.entry.name,
        category: image.entry.category,
        descriptor: image.descriptor,
      })),
    });
  }
  await tx.deployment.update({ where: { id: deploymentId }, data: { snapshotPurgedAt: null } });
  await audit?.({
    action: 'snapshot.created',
    subjectType: 'deployment',
    subjectId: deploymentId,
    details: { entryCount, imageCount: images.length, watchlistIds, categories },
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
  if (existing) dropIndex(existing.id);
  const { count } = await tx.watchlistSnapshot.deleteMany({ where: { deploymentId } });
  await tx.deployment.update({ where: { id: deploymentId }, data: { snapshotPurgedAt: new Date() } });
  if (count > 0) await audit?.({ action: 'snapshot.purged', subjectType: 'deployment', subjectId: deploymentId });
  return { purged: count > 0 };
}
