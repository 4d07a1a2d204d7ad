import { auditedTransaction, type Audit } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import { getDb, type Tx } from '@/lib/db/client';
import { euclideanDistance } from '@/lib/face/descriptor';
import type { EngineVector } from '@/lib/recognition/templates';
import { vectorToBytes } from '@/lib/recognition/vectors';
import { conflict, HttpError, notFound } from '@/lib/http/errors';
import { publishAttentionChanged } from '@/lib/realtime/publish';
import { getEntry, templatesOfWatchlist } from './data';
import { DUPLICATE_DISTANCE, type EntryInput, type EntryUpdate } from './schema';

/**
 * Writes to watchlists. Every function assumes the caller holds 'watchlist:manage' (admins)
 * and records its audit events in the same transaction as the change.
 */
type Context = { actor: SessionUser; ip: string | null };

/** A reference image that passed the quality gate (lib/face/enrol.ts), with its bytes. */
export type AcceptedImage = {
  fileName: string;
  bytes: Uint8Array;
  mediaType: string;
  width: number;
  height: number;
  box: { x: number; y: number; width: number; height: number };
  score: number;
  /** face-api's descriptor, for the duplicate check. */
  descriptor: Float32Array;
  /** One template per enabled recogniser (lib/recognition/templates.ts). */
  templates: EngineVector[];
};

export type PossibleDuplicate = { fileName: string; entryId: string; reference: string; name: string; distance: number };

function audited(ctx: Context, audit: Audit): Audit {
  return (event) => audit({ actorId: ctx.actor.id, ip: ctx.ip, ...event });
}

export async function createWatchlist(ctx: Context, input: { name: string; description: string }) {
  return auditedTransaction(async (tx, audit) => {
    if (await tx.watchlist.findUnique({ where: { name: input.name }, select: { id: true } })) {
      throw conflict(`A watchlist called "${input.name}" already exists.`);
    }
    const watchlist = await tx.watchlist.create({ data: { ...input, createdById: ctx.actor.id } });
    await audited(ctx, audit)({ action: 'watchlist.created', subjectType: 'watchlist', subjectId: watchlist.id, details: input });
    return { id: watchlist.id };
  });
}

export async function updateWatchlist(ctx: Context, id: string, input: { name?: string; description?: string }) {
  return auditedTransaction(async (tx, audit) => {
    const before = await tx.watchlist.findUnique({ where: { id } });
    if (!before) throw notFound('No such watchlist.');
    if (input.name && input.name !== before.name && (await tx.watchlist.findUnique({ where: { name: input.name } }))) {
      throw conflict(`A watchlist called "${input.name}" already exists.`);
    }
    await tx.watchlist.update({ where: { id }, data: input });
    await audited(
      ctx,
      audit,
    )({
      action: 'watchlist.changed',
      subjectType: 'watchlist',
      subjectId: id,
      details: { before: { name: before.name, description: before.description }, after: input },
    });
  });
}

const OPEN_DEPLOYMENT_STATES = ['draft', 'submitted', 'authorised', 'live', 'suspended'];

/** Deletes a watchlist with all its entries, images and templates, unless an open plan uses it. */
export async function deleteWatchlist(ctx: Context, id: string) {
  await auditedTransaction(async (tx, audit) => {
    const watchlist = await tx.watchlist.findUnique({ where: { id }, include: { _count: { select: { entries: true } } } });
    if (!watchlist) throw notFound('No such watchlist.');
    const inUse = await tx.deployment.findMany({
      where: { status: { in: OPEN_DEPLOYMENT_STATES }, watchlistIds: { contains: `"${id}"` } },
      select: { name: true, status: true },
    });
    if (inUse.length > 0) {
      throw conflict(`This watchlist is used by ${inUse.map((d) => `"${d.name}" (${d.status})`).join(', ')}; remove it from those plans first.`);
    }
    await tx.watchlist.delete({ where: { id } });
    await audited(
      ctx,
      audit,
    )({
      action: 'watchlist.deleted',
      subjectType: 'watchlist',
      subjectId: id,
      details: { name: watchlist.name, entriesDeleted: watchlist._count.entries },
    });
  });
  // Its entries' overdue reviews leave the admins' home pages.
  publishAttentionChanged();
}

/** Entries of the same watchlist whose templates are within DUPLICATE_DISTANCE of a new image. */
async function findDuplicates(watchlistId: string, images: AcceptedImage[], exceptEntryId?: string): Promise<PossibleDuplicate[]> {
  const templates = (await templatesOfWatchlist(watchlistId)).filter((t) => t.id !== exceptEntryId);
  const best = new Map<string, PossibleDuplicate>();
  for (const image of images) {
    for (const template of templates) {
      const distance = euclideanDistance(image.descriptor, template.descriptor);
      if (distance > DUPLICATE_DISTANCE) continue;
      const key = `${image.fileName}\u0000${template.id}`;
      if (!best.has(key) || best.get(key)!.distance > distance) {
        best.set(key, {
          fileName: image.fileName,
          entryId: template.id,
          reference: template.reference,
          name: template.name,
          distance: Math.round(distance * 1000) / 1000,
        });
      }
    }
  }
  return [...best.values()].sort((a, b) => a.distance - b.distance);
}

function templateColumns(template: EngineVector) {
  return {
    engineId: template.engineId,
    engineVersion: template.engineVersion,
    dims: template.vector.length,
    vector: Buffer.from(vectorToBytes(template.vector)),
  };
}

/** `duplicates`: the likely duplicates found and confirmed by the admin, recorded with the image each was found for. */
async function storeImages(tx: Tx, audit: Audit, entryId: string, images: AcceptedImage[], duplicates: readonly PossibleDuplicate[] = []) {
  for (const image of images) {
    const possible = [...new Set(duplicates.filter((d) => d.fileName === image.fileName).map((d) => d.entryId))];
    const stored = await tx.referenceImage.create({
      data: {
        entryId,
        mediaType: image.mediaType,
        bytes: Buffer.from(image.bytes),
        width: image.width,
        height: image.height,
        boxX: image.box.x,
        boxY: image.box.y,
        boxWidth: image.box.width,
        boxHeight: image.box.height,
        detectionScore: image.score,
        templates: { create: image.templates.map(templateColumns) },
      },
      select: { id: true },
    });
    await audit({
      action: 'reference_image.added',
      subjectType: 'reference_image',
      subjectId: stored.id,
      details: {
        entryId,
        fileName: image.fileName,
        width: image.width,
        height: image.height,
        detectionScore: Math.round(image.score * 1000) / 1000,
        ...(possible.length > 0 ? { possibleDuplicates: possible, duplicateConfirmed: true } : {}),
      },
    });
  }
}

/**
 * Adds a person with one or more accepted reference images. A likely duplicate (another entry
 * whose face is within DUPLICATE_DISTANCE) is refused with 409 `possible_duplicate` naming the
 * candidates, before anything is written, unless the admin confirmed it (`allowDuplicate`), which
 * the audit event records.
 */
/** 409 `possible_duplicate` naming the candidates, unless the admin confirmed adding anyway. */
function refuseUnconfirmed(duplicates: PossibleDuplicate[], allowDuplicate: boolean): void {
  if (duplicates.length === 0 || allowDuplicate) return;
  const names = [...new Set(duplicates.map((d) => `${d.name} (${d.reference})`))].join(', ');
  throw new HttpError(409, 'possible_duplicate', `This photo looks like someone already on the watchlist: ${names}. Check, then confirm to add anyway.`, {
    duplicates,
  });
}

export async function createEntry(ctx: Context, watchlistId: string, input: EntryInput, images: AcceptedImage[], { allowDuplicate = false } = {}) {
  const duplicates = await findDuplicates(watchlistId, images);
  refuseUnconfirmed(duplicates, allowDuplicate);
  const entryId = await auditedTransaction(async (tx, rawAudit) => {
    const audit = audited(ctx, rawAudit);
    if (!(await tx.watchlist.findUnique({ where: { id: watchlistId }, select: { id: true } }))) throw notFound('No such watchlist.');
    const clash = await tx.watchlistEntry.findUnique({ where: { watchlistId_reference: { watchlistId, reference: input.reference } } });
    if (clash) throw conflict(`Reference ${input.reference} is already on this watchlist (${clash.name}).`);
    const entry = await tx.watchlistEntry.create({ data: { ...input, watchlistId, addedById: ctx.actor.id }, select: { id: true } });
    await audit({
      action: 'watchlist_entry.created',
      subjectType: 'watchlist_entry',
      subjectId: entry.id,
      details: {
        watchlistId,
        reference: input.reference,
        category: input.category,
        images: images.length,
        possibleDuplicates: duplicates.map((d) => d.entryId),
        ...(duplicates.length > 0 ? { duplicateConfirmed: true } : {}),
      },
    });
    await storeImages(tx, audit, entry.id, images);
    return entry.id;
  });
  publishAttentionChanged();
  return { entry: (await getEntry(watchlistId, entryId))!, duplicates };
}

/**
 * Adds reference images to an existing entry. As for a new entry, a photo that looks like another
 * entry of the watchlist is refused with 409 `possible_duplicate` before anything is written,
 * unless confirmed (`allowDuplicate`); each image's audit record names the candidates confirmed.
 */
export async function addEntryImages(ctx: Context, watchlistId: string, entryId: string, images: AcceptedImage[], { allowDuplicate = false } = {}) {
  const duplicates = await findDuplicates(watchlistId, images, entryId);
  refuseUnconfirmed(duplicates, allowDuplicate);
  await auditedTransaction(async (tx, rawAudit) => {
    if (!(await tx.watchlistEntry.findFirst({ where: { id: entryId, watchlistId }, select: { id: true } }))) throw notFound('No such entry on this watchlist.');
    await storeImages(tx, audited(ctx, rawAudit), entryId, images, duplicates);
  });
  return { entry: (await getEntry(watchlistId, entryId))!, duplicates };
}

export async function updateEntry(ctx: Context, watchlistId: string, entryId: string, input: EntryUpdate) {
  await auditedTransaction(async (tx, audit) => {
    const before = await tx.watchlistEntry.findFirst({ where: { id: entryId, watchlistId } });
    if (!before) throw notFound('No such entry on this watchlist.');
    const reviewBy = input.reviewBy ?? before.reviewBy;
    const takenOn = input.imageTakenOn ?? before.imageTakenOn;
    if (reviewBy <= takenOn) throw conflict('reviewBy must be after imageTakenOn.');
    if (input.reference && input.reference !== before.reference) {
      const clash = await tx.watchlistEntry.findUnique({ where: { watchlistId_reference: { watchlistId, reference: input.reference } } });
      if (clash) throw conflict(`Reference ${input.reference} is already on this watchlist (${clash.name}).`);
    }
    await tx.watchlistEntry.update({ where: { id: entryId }, data: input });
    const changed = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, value instanceof Date ? value.toISOString().slice(0, 10) : value]));
    await audited(ctx, audit)({ action: 'watchlist_entry.changed', subjectType: 'watchlist_entry', subjectId: entryId, details: { watchlistId, changed } });
  });
  // A new review date may end (or start) an overdue review on the admins' home pages.
  publishAttentionChanged();
  return (await getEntry(watchlistId, entryId))!;
}

/** Deletes an entry, its images and its templates for good (snapshots already made keep theirs). */
export async function deleteEntry(ctx: Context, watchlistId: string, entryId: string) {
  await auditedTransaction(async (tx, audit) => {
    const entry = await tx.watchlistEntry.findFirst({ where: { id: entryId, watchlistId }, include: { _count: { select: { images: true } } } });
    if (!entry) throw notFound('No such entry on this watchlist.');
    await tx.watchlistEntry.delete({ where: { id: entryId } });
    await audited(
      ctx,
      audit,
    )({
      action: 'watchlist_entry.deleted',
      subjectType: 'watchlist_entry',
      subjectId: entryId,
      details: { watchlistId, reference: entry.reference, imagesDeleted: entry._count.images },
    });
  });
  publishAttentionChanged();
}

/** Records that someone looked at a reference image (docs/rules.md#audit: viewing is audited). */
export async function recordReferenceImageView(ctx: Context, imageId: string, entryId: string) {
  await auditedTransaction(async (_tx, audit) => {
    await audited(ctx, audit)({ action: 'reference_image.viewed', subjectType: 'reference_image', subjectId: imageId, details: { entryId } });
  });
}

/**
 * Stores (or replaces) one recogniser's template of a reference image, computed by the template
 * backfill (lib/recognition/backfill.ts) for an image enrolled before that recogniser was
 * enabled. Returns false when the image was deleted meanwhile. Not audited one by one: the
 * backfill records its run.
 */
export async function saveFaceTemplate(referenceImageId: string, template: EngineVector): Promise<boolean> {
  const db = getDb();
  if (!(await db.referenceImage.findUnique({ where: { id: referenceImageId }, select: { id: true } }))) return false;
  const columns = templateColumns(template);
  try {
    await db.faceTemplate.upsert({
      where: { referenceImageId_engineId: { referenceImageId, engineId: template.engineId } },
      create: { referenceImageId, ...columns },
      update: columns,
    });
    return true;
  } catch (error) {
    // The image was deleted between the check and the write: nothing to keep a template for.
    if ((error as { code?: string }).code === 'P2003' || (error as { code?: string }).code === 'P2025') return false;
    throw error;
  }
}

/**
 * Deletes the templates of recognisers no longer running here (removed from the configuration,
 * or replaced by another version): vectors of a person's face kept for no use are a liability,
 * and the template backfill computes what the running recognisers need. Audited with counts
 * only. Called at start-up, after the configured recognisers are checked. Returns the count.
 */
export async function purgeTemplatesOfStoppedRecognisers(running: readonly { engineId: string; engineVersion: string }[]): Promise<number> {
  return auditedTransaction(async (tx, audit) => {
    const current = running.map(({ engineId, engineVersion }) => ({ engineId, engineVersion }));
    const stale = await tx.faceTemplate.groupBy({ by: ['engineId', 'engineVersion'], where: { NOT: { OR: current } }, _count: { _all: true } });
    if (stale.length === 0) return 0;
    const { count } = await tx.faceTemplate.deleteMany({ where: { NOT: { OR: current } } });
    await audit({
      action: 'templates.purged',
      subjectType: 'recogniser',
      details: { removed: Object.fromEntries(stale.map((s) => [`${s.engineId}@${s.engineVersion}`, s._count._all])), reason: 'recogniser no longer running' },
    });
    return count;
  });
}
