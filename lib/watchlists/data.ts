import { getDb, type Prisma, type Tx } from '@/lib/db/client';
import { containsText } from '@/lib/db/text-search';
import { FACEAPI_ENGINE_ID } from '@/lib/recognition/manifest';
import { bytesToVector } from '@/lib/recognition/vectors';
import { CATEGORIES, type Category, type EntryQuery } from './schema';

/**
 * Reads of watchlists. Counts and names need 'watchlist:read'; entries, images and templates
 * need 'watchlist:manage' (checked by the caller). Nothing here returns descriptors to a client.
 */

const toDay = (d: Date) => d.toISOString().slice(0, 10);
const startOfTodayUtc = () => new Date(`${new Date().toISOString().slice(0, 10)}T00:00:00.000Z`);

export type WatchlistSummary = {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  entryCount: number;
  byCategory: Record<Category, number>;
  reviewOverdue: number;
};

export async function listWatchlists(): Promise<WatchlistSummary[]> {
  const db = getDb();
  const [watchlists, counts, overdue] = await Promise.all([
    db.watchlist.findMany({ orderBy: { name: 'asc' } }),
    db.watchlistEntry.groupBy({ by: ['watchlistId', 'category'], _count: { _all: true } }),
    db.watchlistEntry.groupBy({ by: ['watchlistId'], where: { reviewBy: { lt: startOfTodayUtc() } }, _count: { _all: true } }),
  ]);
  return watchlists.map((w) => {
    const byCategory = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
    for (const row of counts) {
      if (row.watchlistId === w.id && row.category in byCategory) byCategory[row.category as Category] = row._count._all;
    }
    return {
      id: w.id,
      name: w.name,
      description: w.description,
      createdAt: w.createdAt.toISOString(),
      entryCount: Object.values(byCategory).reduce((a, b) => a + b, 0),
      byCategory,
      reviewOverdue: overdue.find((o) => o.watchlistId === w.id)?._count._all ?? 0,
    };
  });
}

export async function getWatchlistSummary(id: string): Promise<WatchlistSummary | null> {
  return (await listWatchlists()).find((w) => w.id === id) ?? null;
}

const entryInclude = {
  addedBy: { select: { id: true, name: true } },
  images: {
    select: { id: true, width: true, height: true, boxX: true, boxY: true, boxWidth: true, boxHeight: true, detectionScore: true, createdAt: true },
    orderBy: { createdAt: 'asc' },
  },
} satisfies Prisma.WatchlistEntryInclude;

type EntryRow = Prisma.WatchlistEntryGetPayload<{ include: typeof entryInclude }>;

export type EntryView = ReturnType<typeof toEntryView>;

function toEntryView(row: EntryRow) {
  return {
    id: row.id,
    watchlistId: row.watchlistId,
    reference: row.reference,
    name: row.name,
    category: row.category as Category,
    imageSource: row.imageSource,
    legalBasis: row.legalBasis,
    imageTakenOn: toDay(row.imageTakenOn),
    reviewBy: toDay(row.reviewBy),
    reviewOverdue: row.reviewBy < startOfTodayUtc(),
    notes: row.notes,
    addedBy: row.addedBy,
    addedAt: row.addedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    images: row.images.map((image) => ({
      id: image.id,
      width: image.width,
      height: image.height,
      box: { x: image.boxX, y: image.boxY, width: image.boxWidth, height: image.boxHeight },
      detectionScore: image.detectionScore,
      createdAt: image.createdAt.toISOString(),
    })),
  };
}

export async function listEntries(watchlistId: string, query: EntryQuery) {
  const db = getDb();
  const where: Prisma.WatchlistEntryWhereInput = { watchlistId };
  if (query.category) where.category = query.category;
  if (query.reviewOverdue) where.reviewBy = { lt: startOfTodayUtc() };
  if (query.q) where.OR = [{ name: containsText(query.q) }, { reference: containsText(query.q) }];
  const [total, rows] = await Promise.all([
    db.watchlistEntry.count({ where }),
    db.watchlistEntry.findMany({
      where,
      include: entryInclude,
      orderBy: [{ addedAt: 'desc' }, { id: 'asc' }],
      skip: (query.page - 1) * query.pageSize,
      take: query.pageSize,
    }),
  ]);
  return { total, page: query.page, pageSize: query.pageSize, entries: rows.map(toEntryView) };
}

export async function getEntry(watchlistId: string, entryId: string) {
  const row = await getDb().watchlistEntry.findFirst({ where: { id: entryId, watchlistId }, include: entryInclude });
  return row ? toEntryView(row) : null;
}

/** The stored bytes of a reference image. The caller must audit the view. */
export async function getReferenceImage(imageId: string) {
  return getDb().referenceImage.findUnique({
    where: { id: imageId },
    select: { id: true, bytes: true, mediaType: true, entryId: true, entry: { select: { watchlistId: true, reference: true } } },
  });
}

/** Every face-api template of a watchlist, for the duplicate-subject check at enrolment. */
export async function templatesOfWatchlist(watchlistId: string) {
  const rows = await getDb().faceTemplate.findMany({
    where: { engineId: FACEAPI_ENGINE_ID, referenceImage: { entry: { watchlistId } } },
    select: { dims: true, vector: true, referenceImage: { select: { entry: { select: { id: true, reference: true, name: true } } } } },
  });
  return rows.map((row) => ({ ...row.referenceImage.entry, descriptor: bytesToVector(row.vector, row.dims) }));
}

/**
 * Reference images without a current template of a recogniser (none, or one made by another
 * version), oldest first, with their bytes and stored face box: the template backfill's work list.
 */
export async function referenceImagesLackingTemplate(engineId: string, engineVersion: string, take: number, excludeIds: string[] = []) {
  return getDb().referenceImage.findMany({
    where: { templates: { none: { engineId, engineVersion } }, ...(excludeIds.length ? { id: { notIn: excludeIds } } : {}) },
    select: { id: true, bytes: true, boxX: true, boxY: true, boxWidth: true, boxHeight: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take,
  });
}

/** How many reference images there are, and how many have a current template of each recogniser. */
export async function templateCoverage(engines: { engineId: string; engineVersion: string }[]) {
  const db = getDb();
  const images = await db.referenceImage.count();
  const covered = await Promise.all(engines.map((e) => db.faceTemplate.count({ where: { engineId: e.engineId, engineVersion: e.engineVersion } })));
  return { images, engines: engines.map((e, i) => ({ ...e, templates: covered[i]! })) };
}

/**
 * One recogniser's templates frozen in a snapshot, with the entry and image each belongs to, in a
 * stable order: what the live matcher is built from (lib/live/matcher.ts). Server only.
 */
export async function templatesOfSnapshot(snapshotId: string, engineId: string) {
  const rows = await getDb().snapshotTemplate.findMany({
    where: { engineId, snapshotImage: { snapshotId } },
    select: { engineVersion: true, dims: true, vector: true, snapshotImage: { select: { entryId: true, referenceImageId: true } } },
    orderBy: { snapshotImage: { id: 'asc' } },
  });
  return rows.map((row) => ({ ...row.snapshotImage, engineVersion: row.engineVersion, dims: row.dims, vector: row.vector }));
}

/**
 * How many people and reference images a plan's watchlists and categories give — what its
 * snapshot would hold if it went live now (the forecast's N). Counts only.
 */
export async function watchlistSize(watchlistIds: string[], categories: string[], db: Tx = getDb()): Promise<{ entries: number; templates: number }> {
  if (watchlistIds.length === 0 || categories.length === 0) return { entries: 0, templates: 0 };
  const where = { watchlistId: { in: watchlistIds }, category: { in: categories } };
  const [entries, templates] = await Promise.all([db.watchlistEntry.count({ where }), db.referenceImage.count({ where: { entry: where } })]);
  return { entries, templates };
}
