'use client';

import { useCallback, useState } from 'react';
import type { LayoutChoice } from '@/components/live/grid-layout';
import { LiveGrid } from '@/components/live/live-grid';
import type { LiveCamera, LiveStats, ProbeResult } from '@/components/live/types';
import { ProbeSchema, type Probe } from '@/lib/face/probe';

/** What the preview publishes on window.__sightlineLiveStats: the grid's stats plus probe checks. */
export type PreviewStats = LiveStats & { invalidProbes: number; lastInvalidProbe: string | null };

declare global {
  interface Window {
    /** Read by bench/detect.ts and by hand in the console; only this preview page sets it. */
    __sightlineLiveStats?: PreviewStats;
  }
}

const invalid = { count: 0, last: null as string | null };

/**
 * Stands in for the server: checks every probe against the shared schema (so a malformed probe
 * shows up here first), waits a little like a network round trip, then "matches" tracks whose
 * number is even. Keeps nothing.
 */
async function fakeSubmitProbe(probe: Probe): Promise<ProbeResult> {
  const parsed = ProbeSchema.safeParse(probe);
  if (!parsed.success) {
    invalid.count += 1;
    invalid.last = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error('Invalid probe');
  }
  await new Promise((resolve) => setTimeout(resolve, 150 + Math.random() * 250));
  const trackNumber = Number(probe.trackId.slice(probe.trackId.lastIndexOf('-') + 1));
  return trackNumber % 2 === 0 ? { matched: true, alertId: `preview-alert-${probe.cameraId}-${trackNumber}` } : { matched: false };
}

export function LivePreview({ cameras, layout }: { cameras: LiveCamera[]; layout: LayoutChoice }) {
  const [stats, setStats] = useState<PreviewStats | null>(null);
  const onStats = useCallback((live: LiveStats) => {
    const withProbes = { ...live, invalidProbes: invalid.count, lastInvalidProbe: invalid.last };
    window.__sightlineLiveStats = withProbes;
    setStats(withProbes);
  }, []);
  return (
    <>
      <LiveGrid cameras={cameras} submitProbe={fakeSubmitProbe} onStats={onStats} defaultLayout={layout} />
      {stats && (
        <p className="muted small mono" data-testid="preview-stats">
          detections {stats.detections} · descriptors {stats.descriptors} ({stats.descriptorsPerSecond.toFixed(1)}/s) · probes {stats.probes.submitted} sent,{' '}
          {stats.probes.matched} matched, {stats.probes.failed} failed · stale dropped {stats.staleDropped} · worker {stats.detectMs?.toFixed(0) ?? '—'}{' '}
          ms/frame · invalid probes {stats.invalidProbes}
        </p>
      )}
    </>
  );
}
