'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import styles from './wall-controls.module.css';
import { moveCamera, orderedCameras, setCameraShown, type WallArrangement } from './wall-arrangement';

/** The full-screen shortcut: Alt+Enter, as in most video players (single letters belong to the alert queue). */
export const FULL_SCREEN_KEY = { key: 'Enter', altKey: true, label: 'Alt+Enter' } as const;

/**
 * Full screen for an element (the Fullscreen API), with its keyboard shortcut. Answers whether it
 * is full screen now and a toggle; the browser's own Esc leaves it too.
 */
export function useFullScreen(target: React.RefObject<HTMLElement | null>): { full: boolean; toggle: () => void; supported: boolean } {
  const [full, setFull] = useState(false);
  const [supported, setSupported] = useState(true);
  const toggle = useCallback(() => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void target.current?.requestFullscreen().catch(() => setSupported(false));
  }, [target]);
  useEffect(() => {
    setSupported(document.fullscreenEnabled !== false);
    const onChange = () => setFull(document.fullscreenElement !== null && document.fullscreenElement === target.current);
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== FULL_SCREEN_KEY.key || !event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
      event.preventDefault();
      toggle();
    };
    document.addEventListener('fullscreenchange', onChange);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('fullscreenchange', onChange);
      document.removeEventListener('keydown', onKey);
    };
  }, [target, toggle]);
  return { full, toggle, supported };
}

export function FullScreenButton({ full, toggle, supported }: { full: boolean; toggle: () => void; supported: boolean }) {
  return (
    <button
      type="button"
      className={`button small-button ${full ? styles.exit : ''}`}
      onClick={toggle}
      aria-pressed={full}
      aria-keyshortcuts="Alt+Enter"
      disabled={!supported}
      title={
        supported
          ? `${full ? 'Leave full screen' : 'Fill the screen with the wall'} (${FULL_SCREEN_KEY.label}${full ? ' or Esc' : ''})`
          : 'This browser cannot go full screen'
      }
      data-testid="full-screen"
    >
      {full ? 'Exit full screen' : 'Full screen'}
      <kbd className={styles.kbd}>{full ? 'Esc' : FULL_SCREEN_KEY.label}</kbd>
    </button>
  );
}

export type SaveState = 'idle' | 'saving' | 'saved' | { error: string };

/**
 * Which cameras the wall shows and in what order: a disclosure with one row per camera (shown or
 * left off, earlier, later). Changes apply at once and are saved for this person.
 */
export function ArrangeCameras({
  cameras,
  arrangement,
  onChange,
  saveState,
}: {
  cameras: { id: string; name: string }[];
  arrangement: WallArrangement;
  onChange: (next: WallArrangement) => void;
  saveState: SaveState;
}) {
  const ordered = orderedCameras(cameras, arrangement);
  const hidden = new Set(arrangement.hiddenCameras);
  const detailsRef = useRef<HTMLDetailsElement>(null);
  // Esc closes the panel and gives the keyboard back to its summary.
  const onKeyDown = (event: React.KeyboardEvent) => {
    if (event.key !== 'Escape' || !detailsRef.current?.open) return;
    event.preventDefault();
    detailsRef.current.open = false;
    detailsRef.current.querySelector('summary')?.focus();
  };
  return (
    <details ref={detailsRef} className={styles.arrange} onKeyDown={onKeyDown} data-testid="arrange-cameras">
      <summary className="button small-button">Arrange cameras</summary>
      <div className={`panel ${styles.panel}`}>
        <p className={styles.heading}>Cameras on your wall</p>
        <ol className={styles.list}>
          {ordered.map((camera, index) => (
            <li key={camera.id} data-camera-id={camera.id}>
              <label className={styles.show}>
                <input
                  type="checkbox"
                  checked={!hidden.has(camera.id)}
                  onChange={(event) => onChange(setCameraShown(arrangement, camera.id, event.target.checked))}
                />
                <span>{camera.name}</span>
              </label>
              <button
                type="button"
                className={styles.move}
                disabled={index === 0}
                aria-label={`Move ${camera.name} earlier`}
                onClick={() => onChange(moveCamera(cameras, arrangement, camera.id, -1))}
              >
                ↑
              </button>
              <button
                type="button"
                className={styles.move}
                disabled={index === ordered.length - 1}
                aria-label={`Move ${camera.name} later`}
                onClick={() => onChange(moveCamera(cameras, arrangement, camera.id, 1))}
              >
                ↓
              </button>
            </li>
          ))}
        </ol>
        <p className={styles.save} role="status" data-testid="layout-save-state">
          {saveState === 'saving'
            ? 'Saving your layout…'
            : saveState === 'saved'
              ? 'Layout saved for you; it opens like this next time.'
              : typeof saveState === 'object'
                ? `Your layout was not saved: ${saveState.error}`
                : 'Changes are saved for you as you make them.'}
        </p>
      </div>
    </details>
  );
}
