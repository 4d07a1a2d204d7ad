import { getDb, type Prisma } from '@/lib/db/client';
import { containsText } from '@/lib/db/text-search';
import { bytesToDescriptor } from '@/lib/face/descriptor';
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

/** Every template of a watchlist, for the duplicate-subject check at enrolment. */
export async function templatesOfWatchlist(watchlistId: string) {
  const rows = await getDb().referenceImage.findMany({
    where: { entry: { watchlistId } },
    select: { descriptor: true, entry: { select: { id: true, reference: true, name: true } } },
  });
  return rows.map((row) => ({ ...row.entry, descriptor: bytesToDescriptor(row.descriptor) }));
}
