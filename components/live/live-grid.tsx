'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { DetectorStatus } from '@/lib/face/detection-scheduler';
import { CameraTile } from './camera-tile';
import { Hint } from './hint';
import { detectorWords } from './operator-words';
import { GRID_SIZES, columnsOf, gridLabel, gridSizeFor, pageCount, type LayoutChoice } from './grid-layout';
import styles from './live-grid.module.css';
import { LiveSession } from './live-session';
import { TRACK_COLOURS } from './tile-overlay';
import type { LiveGridProps } from './types';
import { plural } from '@/lib/format/plural';

/** How long a linked tile (`?camera=`) stays marked. */
const HIGHLIGHT_MS = 15_000;

/**
 * The live camera wall: 1, 4, 9 or 16 tiles (chosen from the camera count, or by the operator),
 * one shared face detector running in a worker, and any tile enlarged over the grid (Esc or the
 * same button restores it). Tiles on other pages are not mounted, so this screen does not analyse
 * them (another screen or the camera agent may) — the pager says so. Browser-only work happens in effects; the server renders the empty grid.
 */
export function LiveGrid({
  cameras,
  submitProbe,
  onStats,
  analysis,
  remoteOverlays,
  publishOverlay,
  onShownCameras,
  layout: controlledLayout,
  onLayoutChange,
  toolbarEnd,
  highlightId = null,
  defaultLayout = 'auto',
  fill = false,
}: LiveGridProps & {
  /** The page gives the grid a definite height (a screen-high column): tiles share it rather than keep 16:9. */
  fill?: boolean;
  /** The first choice when the grid keeps its own (the development preview). */
  defaultLayout?: LayoutChoice;
  /** The tiles a screen shows; without it the grid keeps its own choice (the development preview). */
  layout?: LayoutChoice;
  onLayoutChange?: (layout: LayoutChoice) => void;
  /** More controls at the end of the toolbar (arrange, full screen, video wall). */
  toolbarEnd?: React.ReactNode;
  /** A camera someone linked to (`?camera=`): its page is shown and its tile scrolled to and highlighted. */
  highlightId?: string | null;
}) {
  const [session, setSession] = useState<LiveSession | null>(null);
  const [detector, setDetector] = useState<DetectorStatus | null>(null);
  const [ownLayout, setOwnLayout] = useState<LayoutChoice>(defaultLayout);
  const layout = controlledLayout ?? ownLayout;
  const setLayout = (choice: LayoutChoice) => {
    setOwnLayout(choice);
    onLayoutChange?.(choice);
  };
  const [highlighted, setHighlighted] = useState<string | null>(null);
  const [page, setPage] = useState(0);
  const [enlargedId, setEnlargedId] = useState<string | null>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const submitRef = useRef(submitProbe);
  const onStatsRef = useRef(onStats);
  const publishRef = useRef(publishOverlay);

  useEffect(() => {
    submitRef.current = submitProbe;
    onStatsRef.current = onStats;
    publishRef.current = publishOverlay;
  });

  // One detector for the grid's lifetime.
  useEffect(() => {
    const created = new LiveSession((probe) => submitRef.current(probe));
    created.setPublishOverlay((cameraId, overlay) => publishRef.current?.(cameraId, overlay));
    setSession(created);
    setDetector(created.detectorStatus());
    const stopListening = created.onDetectorStatus(setDetector);
    const timer = setInterval(() => onStatsRef.current?.(created.stats()), 1000);
    return () => {
      clearInterval(timer);
      stopListening();
      created.dispose();
    };
  }, []);

  const size = gridSizeFor(layout, cameras.length);
  const pages = pageCount(cameras.length, size);
  const currentPage = Math.min(page, pages - 1);
  const shown = cameras.slice(currentPage * size, currentPage * size + size);
  const enlarged = enlargedId !== null && shown.some((camera) => camera.id === enlargedId) ? enlargedId : null;
  const shownKey = shown.map((camera) => camera.id).join(' ');

  // The page offers to analyse only the cameras it shows (other pages' tiles are not mounted).
  useEffect(() => {
    onShownCameras?.(shownKey ? shownKey.split(' ') : []);
  }, [shownKey, onShownCameras]);

  // A linked camera: show its page, scroll its tile into view, and mark it for a while.
  const highlightIndex = highlightId ? cameras.findIndex((camera) => camera.id === highlightId) : -1;
  useEffect(() => {
    if (!highlightId || highlightIndex < 0) return;
    setPage(Math.floor(highlightIndex / size));
    setHighlighted(highlightId);
    const frame = requestAnimationFrame(() => {
      const tile = gridRef.current?.querySelector<HTMLElement>(`[data-camera-id="${CSS.escape(highlightId)}"]`);
      tile?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
      tile?.focus({ preventScroll: true });
    });
    const timer = setTimeout(() => setHighlighted(null), HIGHLIGHT_MS);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
    };
  }, [highlightId, highlightIndex, size]);

  const toggleEnlarge = useCallback((cameraId: string) => {
    setEnlargedId((current) => (current === cameraId ? null : cameraId));
  }, []);

  // Esc restores the enlarged tile, wherever the focus is (unless a dialog is handling it).
  useEffect(() => {
    if (!enlarged) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      if (event.target instanceof Element && event.target.closest('dialog')) return;
      setEnlargedId(null);
      // Keep the keyboard where it was: on the tile just restored.
      const tile = gridRef.current?.querySelector<HTMLElement>(`[data-camera-id="${CSS.escape(enlarged)}"]`);
      requestAnimationFrame(() => tile?.querySelector<HTMLButtonElement>('button[aria-pressed]')?.focus());
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [enlarged]);

  const autoSize = gridSizeFor('auto', cameras.length);
  const columns = columnsOf(size);
  // Rows for the tiles this page shows: the wall's height is shared by them, not by empty rows.
  const rows = Math.max(1, Math.ceil(shown.length / columns));
  return (
    <div className={`${styles.root} ${fill ? styles.fill : ''}`} data-testid="live-grid" data-layout={size} data-enlarged={enlarged ?? ''}>
      <div className={styles.toolbar}>
        <div className={styles.toolbarGroup} role="group" aria-label="Grid layout">
          <span className={styles.toolbarLabel} aria-hidden="true">
            Layout
          </span>
          <div className={styles.segmented}>
            <button
              type="button"
              aria-pressed={layout === 'auto'}
              onClick={() => setLayout('auto')}
              title={cameras.length === 1 ? 'Fit the camera' : `Fit the ${plural(cameras.length, 'camera')}`}
            >
              Auto ({gridLabel(autoSize)})
            </button>
            {GRID_SIZES.map((option) => (
              <button key={option} type="button" aria-pressed={layout === option} onClick={() => setLayout(option)} aria-label={`${option} per screen`}>
                {option}
              </button>
            ))}
          </div>
        </div>
        <DetectorIndicator status={detector} />
        {toolbarEnd}
        <ul className={styles.legend} aria-label="Box colours">
          <li style={{ color: TRACK_COLOURS.detected }}>
            <span className={styles.swatch} aria-hidden="true" />
            Face
          </li>
          <li style={{ color: TRACK_COLOURS.checking }}>
            <span className={`${styles.swatch} ${styles.swatchDashed}`} aria-hidden="true" />
            Checking
          </li>
          <li style={{ color: TRACK_COLOURS.matched }}>
            <span className={styles.swatch} aria-hidden="true" />
            Match
          </li>
        </ul>
      </div>

      {pages > 1 && (
        <nav className={styles.pager} aria-label="Camera pages">
          <button type="button" className="button small-button" disabled={currentPage === 0} onClick={() => setPage(currentPage - 1)}>
            Previous
          </button>
          <span>
            Cameras {currentPage * size + 1}–{currentPage * size + shown.length} of {cameras.length}
          </span>
          <button type="button" className="button small-button" disabled={currentPage >= pages - 1} onClick={() => setPage(currentPage + 1)}>
            Next
          </button>
          <span className={styles.pagerNote}>
            This screen analyses only the cameras on this page; the others are checked only if another screen or the camera agent analyses them.
          </span>
        </nav>
      )}

      {cameras.length === 0 ? (
        <p className="muted">No cameras in this deployment.</p>
      ) : (
        <div ref={gridRef} className={styles.grid} data-enlarged={enlarged !== null} style={{ '--columns': columns, '--rows': rows } as React.CSSProperties}>
          {shown.map((camera) => (
            <CameraTile
              key={camera.id}
              camera={camera}
              session={session}
              detector={detector}
              enlarged={enlarged === camera.id}
              covered={enlarged !== null && enlarged !== camera.id}
              highlighted={highlighted === camera.id}
              onToggleEnlarge={toggleEnlarge}
              analysis={analysis?.[camera.id]}
              remoteOverlays={remoteOverlays}
            />
          ))}
        </div>
      )}
    </div>
  );
}

function DetectorIndicator({ status }: { status: DetectorStatus | null }) {
  const words = detectorWords(status);
  return (
    <span className={styles.detector} data-state={status?.state ?? 'loading'} data-testid="detector-status" role="status">
      <span className={styles.dot} aria-hidden="true" />
      <Hint text={words.text} detail={words.detail} />
    </span>
  );
}
