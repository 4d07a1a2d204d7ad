'use client';

import { useEffect, useRef, useState } from 'react';
import { AlertQueue } from '@/components/alerts/alert-queue';
import { EMPTY_ALERT_LIST, mergeAlerts } from '@/components/alerts/alert-store';
import type { AlertFeed, AlertFeedOptions } from '@/components/alerts/use-alert-feed';
import type { AlertView } from '@/lib/alerts/data';
import type { AlertStatus } from '@/lib/alerts/state';
import type { Category } from '@/lib/watchlists/schema';

/** What the preview exposes on window for bench/alert-queue.ts (and the console). */
export type AlertsPreviewControls = {
  /** Alerts currently in the queue. */
  size(): number;
  /** Raises `n` new alerts now, as if they had arrived over the socket. */
  raise(n: number): void;
  /** Claims or decides a random alert, as if another operator had (an alert:* update). */
  churn(n: number): void;
};

declare global {
  interface Window {
    __alertsPreview?: AlertsPreviewControls;
  }
}

const DEPLOYMENT = 'preview-deployment';
const NAMES = ['Demo subject A', 'Demo subject B', 'Demo subject C', 'Jordan Example', 'Sam Placeholder', 'Alex Sample', 'Robin Fixture'];
const CATEGORIES: Category[] = ['wanted_by_court', 'suspect_serious_offence', 'missing_vulnerable', 'risk_of_harm'];
const CAMERAS = ['Regent St north', 'Oxford St east', 'Oxford St west', 'Argyll St', 'Station exit 2', 'Princes St'].map((name, i) => ({
  id: `preview-cam-${i + 1}`,
  name,
  lat: 51.5152 + i * 0.0003,
  lng: -0.1415 + i * 0.0004,
}));
const STATUSES: AlertStatus[] = ['false_alert', 'false_alert', 'closed', 'engaged', 'new'];

// A plain face-shaped SVG: no image of a real person in a preview.
const CROP = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 80 80"><rect width="80" height="80" fill="#1b2430"/><ellipse cx="40" cy="36" rx="17" ry="21" fill="#8b9bb0"/><rect x="18" y="60" width="44" height="20" rx="10" fill="#5d6b7a"/></svg>',
)}`;

let seq = 0;
function syntheticAlert(at: number, status: AlertStatus): AlertView {
  seq += 1;
  const iso = new Date(at).toISOString();
  const n = seq;
  return {
    id: `preview-${String(n).padStart(7, '0')}`,
    deploymentId: DEPLOYMENT,
    deploymentName: 'Preview — Oxford Circus',
    camera: CAMERAS[n % CAMERAS.length]!,
    entryId: `entry-${n % 40}`,
    referenceImageId: `preview-ref-${n % 40}`,
    reference: `WR/${2026}/${String(1000 + (n % 40))}`,
    name: NAMES[n % NAMES.length]!,
    category: CATEGORIES[n % CATEGORIES.length]!,
    distance: 0.3 + ((n * 37) % 29) / 100,
    candidateThreshold: 0.6,
    verification: { engineId: 'faceapi-128', engineVersion: '1.7.15', metric: 'euclidean', score: 0.25 + ((n * 31) % 20) / 100, threshold: 0.46 },
    firstSeenAt: iso,
    lastSeenAt: iso,
    sightings: 1 + (n % 3),
    // Now and then an old alert whose crop the retention job deleted.
    cropUrl: n % 97 === 0 ? null : CROP,
    cropDeletedAt: n % 97 === 0 ? new Date(at + 31 * 86_400_000).toISOString() : null,
    status,
    claimedBy: status === 'engaged' ? { id: 'someone', name: 'Omar Operator' } : null,
    claimedAt: status === 'engaged' ? iso : null,
    claimExpiresAt: status === 'engaged' ? new Date(at + 5 * 60_000).toISOString() : null,
    claimCorrection: null,
    decision: status === 'false_alert' ? 'false_alert' : status === 'new' ? null : 'engage',
    outcome: status === 'closed' ? 'not_subject' : null,
    retained: false,
    retainReason: null,
    history: [],
    version: 1,
    createdAt: iso,
    updatedAt: iso,
  };
}

/** A feed with `count` alerts, one every ~2 s back from now, that the window controls feed. */
function makeFakeFeed(count: number) {
  return function useFakeFeed(_ids: readonly string[], { onNewAlerts }: AlertFeedOptions = {}): AlertFeed {
    const [list, setList] = useState(() => {
      const now = Date.now();
      const alerts = Array.from({ length: count }, (_, i) => syntheticAlert(now - (count - i) * 2000, i > count - 6 ? 'new' : STATUSES[i % STATUSES.length]!));
      return mergeAlerts(EMPTY_ALERT_LIST, alerts).list;
    });
    const listRef = useRef(list);
    listRef.current = list;
    const onNew = useRef(onNewAlerts);
    onNew.current = onNewAlerts;
    useEffect(() => {
      const apply = (incoming: AlertView[], announce: boolean) => {
        const { list: next, added } = mergeAlerts(listRef.current, incoming);
        listRef.current = next;
        setList(next);
        if (announce && added.length) onNew.current?.(added);
      };
      window.__alertsPreview = {
        size: () => listRef.current.items.length,
        raise: (n) =>
          apply(
            Array.from({ length: n }, () => syntheticAlert(Date.now(), 'new')),
            true,
          ),
        churn: (n) => {
          const items = listRef.current.items;
          const changed = Array.from({ length: Math.min(n, items.length) }, () => {
            const a = items[Math.floor(Math.random() * Math.min(items.length, 200))]!;
            return a.claimedBy
              ? { ...a, claimedBy: null, claimedAt: null, version: a.version + 1 }
              : { ...a, claimedBy: { id: 'someone', name: 'Omar Operator' }, claimedAt: new Date().toISOString(), version: a.version + 1 };
          });
          apply(changed, false);
        },
      };
      return () => {
        delete window.__alertsPreview;
      };
    }, []);
    return {
      list,
      state: { phase: 'ready', loaded: list.items.length, total: list.items.length, truncated: false, error: null },
      realtime: 'connected',
      clockOffsetMs: 0,
      apply: (alert) => {
        listRef.current = mergeAlerts(listRef.current, [alert]).list;
        setList(listRef.current);
      },
    };
  };
}

export function AlertsPreview({ count, compact, role }: { count: number; compact: boolean; role: 'operator' | 'senior_officer' }) {
  const [useFeed] = useState(() => makeFakeFeed(count));
  return (
    <main style={{ padding: '1rem', maxWidth: compact ? 440 : 1400, margin: '0 auto', height: compact ? '100vh' : undefined }}>
      <h1 style={{ fontSize: '1.1rem' }}>Alert queue preview — {count.toLocaleString('en-GB')} synthetic alerts (development)</h1>
      <AlertQueue
        deploymentIds={[DEPLOYMENT]}
        compact={compact}
        viewer={{ id: 'preview-viewer', name: 'Preview Operator', role }}
        documentTitle="Alerts preview"
        useFeed={useFeed}
      />
    </main>
  );
}
