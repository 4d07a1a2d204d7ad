import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { MapPreview } from './preview';

export const metadata: Metadata = { title: 'Map preview (development)' };
// Decided per request: SIGHTLINE_DEV_PAGES is read at run time, not at build time.
export const dynamic = 'force-dynamic';

/** Sample data only; served outside production (or with SIGHTLINE_DEV_PAGES=1). */
export default function MapPreviewPage() {
  if (process.env.NODE_ENV === 'production' && process.env.SIGHTLINE_DEV_PAGES !== '1') notFound();
  return <MapPreview />;
}
