'use client';

import { useEffect, useRef, useState } from 'react';
import type { DetectorStatus } from '@/lib/face/detection-scheduler';
import { HLS_UNSUPPORTED, REASON_DETAILS, RTSP_IN_BROWSER, attachCameraSource, isSameOrigin, type SourceReport } from './camera-source';
import { Hint } from './hint';
import { analyserNeedsAttention, analyserWords } from './health-words';
import styles from './live-grid.module.css';
import type { LiveSession } from './live-session';
import type { RemoteFrame, RemoteOverlays } from './remote-overlays';
import { NO_SIGNAL_MS, type TileDetection } from './tile-detection';
import { clearOverlay, drawOverlay } from './tile-overlay';
import { TILE_STATE_LABELS, TileStatusBar } from './tile-status-bar';
import type { LiveCamera, TileAnalysis, TileState, TileStats } from './types';

type Props = {
  camera: LiveCamera;
  session: LiveSession | null;
  detector: DetectorStatus | null;
  enlarged: boolean;
  /** Covered by an enlarged tile: still playing and analysed, but out of the keyboard order. */
  covered: boolean;
  /** Linked to (`?camera=`): marked for a while so the operator's eye finds it. */
  highlighted?: boolean;
  onToggleEnlarge: (cameraId: string) => void;
  /** Who analyses this camera (the live page's leases); without it, this tile does. */
  analysis?: TileAnalysis;
  /** The boxes of this camera's analyser when it is not this screen. */
  remoteOverlays?: RemoteOverlays;
};

/** Relayed boxes older than this are wiped: the analyser stopped publishing, or the camera moved to this screen. */
const REMOTE_OVERLAY_MAX_AGE_MS = 1500;

/** A source still connecting after this long gets a reason on the tile (a permission prompt, a dead URL). */
const SLOW_CONNECT_MS = 10_000;

type Shown = { state: TileState; reason: string | null; rate: number | null; matched: boolean };

/**
 * One camera: its picture, the face overlay drawn by its TileDetection, and a status bar.
 * Per-frame work happens outside React; the component re-renders about once a second.
 */
export function CameraTile({ camera, session, detector, enlarged, covered, highlighted = false, onToggleEnlarge, analysis, remoteOverlays }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const imgRef = useRef<HTMLImageElement>(null);
  const overlayRef = useRef<HTMLCanvasElement>(null);
  const detectionRef = useRef<TileDetection | null>(null);
  const [source, setSource] = useState<SourceReport>({ state: 'connecting', reason: null });
  const [retries, setRetries] = useState(0);
  const [shown, setShown] = useState<Shown>({ state: 'connecting', reason: null, rate: null, matched: false });
  const statsRef = useRef<TileStats>(emptyStats(camera));
  const connectingSinceRef = useRef(0);

  const { kind, url } = camera.source;
  // Whether the detector may read the pixels; decided in the browser (the server has no origin).
  const [readable, setReadable] = useState(kind !== 'mjpeg');

  // Connect the picture.
  useEffect(() => {
    setReadable(kind !== 'mjpeg' || isSameOrigin(url));
    connectingSinceRef.current = performance.now();
    return attachCameraSource({ kind, url }, { video: videoRef.current, img: imgRef.current }, setSource);
  }, [kind, url, retries]);

  // Only the screen holding the camera's lease analyses it; the others draw its analyser's boxes.
  const analyses = analysis === undefined || analysis.analyse;

  // Join the shared detector.
  useEffect(() => {
    const media = kind === 'mjpeg' ? imgRef.current : videoRef.current;
    const overlay = overlayRef.current;
    if (!session || !media || !overlay || !analyses) return;
    const { detection, remove } = session.addTile(camera.id, () => statsRef.current);
    detection.attach(media, overlay, readable);
    detectionRef.current = detection;
    const observer = new ResizeObserver(() => detection.redraw());
    observer.observe(overlay);
    return () => {
      observer.disconnect();
      detectionRef.current = null;
      remove();
    };
  }, [session, camera.id, kind, url, readable, retries, analyses]);

  // Draw the boxes relayed from the camera's analyser (another screen, the camera agent).
  useEffect(() => {
    const overlay = overlayRef.current;
    if (analyses || !remoteOverlays || !overlay) return;
    let lastAt = 0;
    let last: RemoteFrame | null = null;
    const show = (frame: RemoteFrame | null) => {
      last = frame;
      const faces = (frame?.faces ?? []).map((face) => ({ id: face.trackId.slice(face.trackId.lastIndexOf('-') + 1), box: face.box, state: face.state }));
      if (frame) drawOverlay(overlay, frame.frame, faces);
      else clearOverlay(overlay);
      overlay.dataset.faces = String(faces.length);
      overlay.dataset.matched = String(faces.filter((face) => face.state === 'matched').length);
      overlay.dataset.checking = String(faces.filter((face) => face.state === 'checking').length);
      overlay.dataset.source = 'relayed';
    };
    const unsubscribe = remoteOverlays.subscribe(camera.id, (frame) => {
      lastAt = performance.now();
      show(frame);
    });
    const expiry = setInterval(() => {
      if (lastAt && performance.now() - lastAt > REMOTE_OVERLAY_MAX_AGE_MS) {
        lastAt = 0;
        show(null);
      }
    }, 250);
    // A tile enlarged, restored or resized: the last boxes again, at the new size (the canvas was cleared).
    const observer = new ResizeObserver(() => show(last));
    observer.observe(overlay);
    return () => {
      observer.disconnect();
      unsubscribe();
      clearInterval(expiry);
      show(null);
      delete overlay.dataset.source;
    };
  }, [analyses, remoteOverlays, camera.id]);

  // About once a second: no-signal watchdog, detection rate, stats for the grid.
  useEffect(() => {
    const tick = () => {
      const status = detectionRef.current?.status();
      let state: TileState = source.state;
      let reason = source.reason;
      const stalled = status?.lastFrameAgeMs != null && status.lastFrameAgeMs > NO_SIGNAL_MS;
      if (state === 'live' && stalled && document.visibilityState === 'visible') {
        state = 'no-signal';
        reason = `No new picture for ${Math.round(status.lastFrameAgeMs! / 1000)} s`;
      }
      const waited = performance.now() - connectingSinceRef.current;
      if (state === 'connecting' && !reason && waited > SLOW_CONNECT_MS) {
        reason = `No picture yet after ${Math.round(waited / 1000)} s`;
      }
      const analysed = analyses && state === 'live' && readable && detector?.state === 'ready';
      statsRef.current = {
        cameraId: camera.id,
        name: camera.name,
        state,
        reason,
        detectionsPerSecond: analysed && status ? status.detectionsPerSecond : 0,
        detections: detectionRef.current?.detections ?? 0,
        faces: status?.faces ?? 0,
        tracks: status?.tracks ?? 0,
        matchedTracks: status?.matchedTracks ?? 0,
      };
      const rate = analysed && status ? Math.round(status.detectionsPerSecond * 10) / 10 : null;
      const matched = analyses ? (status?.matchedTracks ?? 0) > 0 : Number(overlayRef.current?.dataset.matched ?? 0) > 0;
      setShown((previous) =>
        previous.state === state && previous.reason === reason && previous.rate === rate && previous.matched === matched
          ? previous
          : { state, reason, rate, matched },
      );
    };
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [camera.id, camera.name, readable, detector, source, analyses]);

  const rateNote = !analyses
    ? null
    : !readable && shown.state === 'live'
      ? 'Detection is off: the stream is on another origin, so its pixels cannot be read'
      : detector?.state === 'failed'
        ? `Detection unavailable: ${detector.message}`
        : shown.state === 'live' && detector?.state !== 'ready'
          ? 'The detector is starting'
          : null;

  return (
    <section
      className={`${styles.tile} ${enlarged ? styles.enlarged : ''}`}
      aria-label={camera.name}
      data-testid="camera-tile"
      data-camera-id={camera.id}
      data-camera-name={camera.name}
      data-state={shown.state}
      data-enlarged={enlarged}
      data-matched={shown.matched}
      data-highlighted={highlighted}
      tabIndex={-1}
      inert={covered}
      aria-hidden={covered || undefined}
      onDoubleClick={() => onToggleEnlarge(camera.id)}
    >
      <div className={styles.media}>
        {kind === 'mjpeg' ? (
          // eslint-disable-next-line @next/next/no-img-element -- a live MJPEG stream, not an optimisable image
          <img ref={imgRef} alt={`Live picture from ${camera.name}`} />
        ) : (
          <video ref={videoRef} muted playsInline disablePictureInPicture aria-label={`Live picture from ${camera.name}`} />
        )}
        <canvas ref={overlayRef} className={styles.overlay} aria-hidden="true" data-testid="tile-overlay" data-faces="0" data-tracks="0" />
        {shown.state !== 'live' && (
          // Announced only when something is wrong: sixteen tiles saying "Connecting" at once helps nobody.
          <div className={styles.notice} data-state={shown.state} data-kind={kind} role={shown.state === 'connecting' ? undefined : 'status'}>
            <span className={styles.noticeTitle}>
              {shown.state === 'connecting' ? 'Connecting…' : kind === 'rtsp' ? 'No picture here' : TILE_STATE_LABELS[shown.state]}
            </span>
            {shown.reason && (
              <span className={styles.noticeReason} data-testid="tile-reason">
                {REASON_DETAILS[shown.reason] ? <Hint text={shown.reason} detail={REASON_DETAILS[shown.reason]!} focusable={false} /> : shown.reason}
              </span>
            )}
            {(shown.state === 'error' || shown.state === 'no-signal') && shown.reason !== HLS_UNSUPPORTED && shown.reason !== RTSP_IN_BROWSER && (
              <button type="button" className={`button small-button ${styles.retry}`} onClick={() => setRetries((n) => n + 1)}>
                Reconnect
              </button>
            )}
          </div>
        )}
        {/* After the notice, and above it: who analyses the camera matters most when its picture is not live here. */}
        {analysis && <AnalyserNote analysis={analysis} />}
      </div>
      <TileStatusBar
        name={camera.name}
        state={shown.state}
        reason={shown.reason}
        rate={shown.rate}
        rateNote={rateNote}
        enlarged={enlarged}
        onToggleEnlarge={() => onToggleEnlarge(camera.id)}
      />
    </section>
  );
}

function AnalyserNote({ analysis }: { analysis: TileAnalysis }) {
  return (
    <p className={styles.analyser} data-testid="tile-analyser" data-analyser={analysis.analyser} data-warning={analyserNeedsAttention(analysis)}>
      {analyserWords(analysis)}
    </p>
  );
}

function emptyStats(camera: LiveCamera): TileStats {
  return {
    cameraId: camera.id,
    name: camera.name,
    state: 'connecting',
    reason: null,
    detectionsPerSecond: 0,
    detections: 0,
    faces: 0,
    tracks: 0,
    matchedTracks: 0,
  };
}
