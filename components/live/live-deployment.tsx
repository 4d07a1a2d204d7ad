'use client';

import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Probe } from '@/lib/face/probe';
import type { CameraAnalysisState, CameraLeaseView, ServerToClientEvents } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';
import { isSameOrigin } from './camera-source';
import { healthWords, tileAnalysisOf } from './health-words';
import type { LayoutChoice } from './grid-layout';
import { LiveGrid } from './live-grid';
import { OfferState, isNotLiveRefusal } from './offer-state';
import { RemoteOverlays } from './remote-overlays';
import { ArrangeCameras, FullScreenButton, useFullScreen, type SaveState } from './wall-controls';
import { arrangementToSaved, shownCameras, type WallArrangement } from './wall-arrangement';
import { ProbeRefusedError, type LiveCamera, type LiveStats, type ProbeResult, type PublishedOverlay, type TileAnalysis } from './types';

type Props = {
  deploymentId: string;
  cameras: LiveCamera[];
  aside?: React.ReactNode;
  /** This person's saved arrangement of the wall (lib/wall-layouts), loaded with the page. */
  initialArrangement?: WallArrangement;
  /** A camera someone linked to (`?camera=`). */
  linkedCameraId?: string | null;
  /** Where the tiles-only video wall of this deployment opens (none on the video wall itself). */
  videoWallHref?: string;
};
type RenewedCamera = { cameraId: string; state: CameraAnalysisState; reason?: string; detectionsPerSecond: number };

const PROBE_TIMEOUT_MS = 10_000;
/** A change to the layout is saved once the operator has stopped changing it for this long. */
const SAVE_AFTER_MS = 500;
const DEFAULT_ARRANGEMENT: WallArrangement = { grid: 'auto', cameraOrder: [], hiddenCameras: [] };
/** A holder renews its leases this often (the server moves them after 3 s without). */
const RENEW_EVERY_MS = 1000;

/** Kinds whose pictures a browser can read; anything else (RTSP, kinds added later) is left to an agent. */
const BROWSER_READABLE = new Set(['device', 'file', 'hls', 'mjpeg']);

function readableHere(camera: LiveCamera): boolean {
  if (!BROWSER_READABLE.has(camera.source.kind)) return false;
  // A cross-origin MJPEG stream plays but its pixels cannot be read.
  return camera.source.kind !== 'mjpeg' || isSameOrigin(camera.source.url);
}

/**
 * The live wall of one deployment, wired to the server: joins the deployment's room, offers to
 * analyse the cameras it shows and can read (`lease:offer`), analyses those whose lease it holds
 * and renews them each second with how each is doing (`lease:renew`), publishes their boxes, and
 * draws the boxes other analysers publish on the rest (docs/architecture.md#camera-leases). Probes
 * go over the socket (`probe:submit`); refusals become errors so tiles back off. When the server
 * says the deployment no longer accepts faces, the operator is told why.
 */
export function LiveDeployment({
  deploymentId,
  cameras: allCameras,
  aside,
  initialArrangement = DEFAULT_ARRANGEMENT,
  linkedCameraId = null,
  videoWallHref,
}: Props) {
  const { socket, status } = useRealtime();
  const [arrangement, setArrangement] = useState(initialArrangement);
  const [saveState, setSaveState] = useState<SaveState>('idle');
  const wallRef = useRef<HTMLDivElement>(null);
  const fullScreen = useFullScreen(wallRef);
  // The wall's cameras in this person's order, without those they left off (a linked one always shows).
  const cameras = useMemo(() => shownCameras(allCameras, arrangement, linkedCameraId), [allCameras, arrangement, linkedCameraId]);

  // Saved for this person a moment after the last change (lib/wall-layouts): it opens the same way next time.
  const changedRef = useRef(false);
  useEffect(() => {
    if (!changedRef.current) return;
    setSaveState('saving');
    const timer = setTimeout(() => {
      fetch(`/api/deployments/${encodeURIComponent(deploymentId)}/wall-layout`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(arrangementToSaved(arrangement)),
      })
        .then(async (response) => {
          if (response.ok) return setSaveState('saved');
          const body = (await response.json().catch(() => null)) as { message?: string } | null;
          setSaveState({ error: body?.message ?? `the server answered ${response.status}` });
        })
        .catch(() => setSaveState({ error: 'the server could not be reached' }));
    }, SAVE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [arrangement, deploymentId]);
  const changeArrangement = useCallback((next: WallArrangement) => {
    changedRef.current = true;
    setArrangement(next);
  }, []);
  const changeGrid = useCallback((grid: LayoutChoice) => changeArrangement({ ...arrangement, grid }), [arrangement, changeArrangement]);
  const [joined, setJoined] = useState<'pending' | 'ok' | string>('pending');
  const [stopped, setStopped] = useState<string | null>(null);
  const [leases, setLeases] = useState<CameraLeaseView[] | null>(null);
  const [socketId, setSocketId] = useState<string | null>(null);
  const [shownIds, setShownIds] = useState<string[] | null>(null);
  const [remoteOverlays] = useState(() => new RemoteOverlays());
  const [offerState] = useState(() => new OfferState());
  const statsRef = useRef<LiveStats | null>(null);
  const leasesRef = useRef<CameraLeaseView[] | null>(null);

  // What this screen offers: the cameras it shows and can read.
  const offered = useMemo(() => {
    if (shownIds === null) return null;
    const shown = new Set(shownIds);
    return cameras.filter((camera) => shown.has(camera.id) && readableHere(camera)).map((camera) => camera.id);
  }, [cameras, shownIds]);
  const offeredRef = useRef(offered);
  /** What is offered now: nothing while the tab is hidden (a hidden tab's timers and frames are throttled, so another screen or the agent should analyse). */
  const offering = useCallback((): string[] | null => (document.visibilityState === 'hidden' ? [] : offeredRef.current), []);

  const takeLeases = useCallback((next: CameraLeaseView[]) => {
    leasesRef.current = next;
    setLeases(next);
  }, []);

  const offer = useCallback(() => {
    const cameraIds = offering();
    if (!socket?.connected || cameraIds === null) return;
    offerState.sending();
    void socket
      .timeout(PROBE_TIMEOUT_MS)
      .emitWithAck('lease:offer', { deploymentId, cameraIds })
      .then((answer) => {
        if (answer.ok) {
          offerState.accepted();
          setStopped(null);
          takeLeases(answer.leases);
          return;
        }
        const notLive = isNotLiveRefusal(answer);
        // Sent again after a growing wait (OfferState); a deployment that is not live says so once, and is asked rarely.
        offerState.refused(Date.now(), notLive);
        if (notLive) setStopped(answer.error);
      })
      .catch(() => offerState.refused(Date.now(), false));
  }, [socket, deploymentId, takeLeases, offerState, offering]);

  // Join the room (alerts, leases, overlays) and offer, on connect and after every reconnection.
  useEffect(() => {
    if (!socket) return;
    const onConnect = () => {
      setSocketId(socket.id ?? null);
      void socket
        .timeout(PROBE_TIMEOUT_MS)
        .emitWithAck('deployment:join', { deploymentId })
        .then((answer) => setJoined(answer.ok ? 'ok' : answer.error))
        .catch(() => setJoined('The server did not answer.'));
      offer();
    };
    const onLeases: ServerToClientEvents['lease:changed'] = (payload) => {
      if (payload.deploymentId === deploymentId) takeLeases(payload.leases);
    };
    const onOverlay: ServerToClientEvents['overlay:frame'] = (frame) => {
      if (frame.deploymentId === deploymentId) remoteOverlays.push(frame);
    };
    const onDisconnect = () => {
      // Whatever table this screen had is no longer known to be true.
      leasesRef.current = null;
      setLeases(null);
    };
    if (socket.connected) onConnect();
    socket.on('connect', onConnect); // rooms and offers are per connection
    socket.on('disconnect', onDisconnect);
    socket.on('lease:changed', onLeases);
    socket.on('overlay:frame', onOverlay);
    return () => {
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('lease:changed', onLeases);
      socket.off('overlay:frame', onOverlay);
      // Leaving the page (the tab's socket stays): no more alerts, lease changes or overlays for it.
      if (socket.connected) socket.emit('deployment:leave', { deploymentId }, () => undefined);
    };
  }, [socket, deploymentId, offer, takeLeases, remoteOverlays]);

  // Offer again when the cameras shown change; withdraw when the page goes (the tab's socket stays).
  useEffect(() => {
    offeredRef.current = offered;
    offer();
  }, [offered, offer]);
  useEffect(() => {
    if (!socket) return;
    return () => {
      if (socket.connected) socket.emit('lease:offer', { deploymentId, cameraIds: [] }, () => undefined);
    };
  }, [socket, deploymentId]);

  // A hidden tab withdraws its offer (its cameras go to another screen or the agent) and offers again when shown.
  useEffect(() => {
    document.addEventListener('visibilitychange', offer);
    return () => document.removeEventListener('visibilitychange', offer);
  }, [offer]);

  // Each second, the state of every camera this screen holds: its heartbeat.
  useEffect(() => {
    if (!socket) return;
    const timer = setInterval(() => {
      const cameraIds = offering();
      if (!socket.connected || cameraIds === null) return;
      const now = Date.now();
      // A refused offer is sent again once its wait is over; so is one the table contradicts.
      if (offerState.due(now, cameraIds, leasesRef.current, socket.id ?? null)) return offer();
      // Waiting to offer again (refused, or the deployment is not live): a renewal would only be refused too.
      if (offerState.waiting) return;
      const held = (leasesRef.current ?? []).filter((lease) => lease.holder?.analyserId === socket.id);
      // A screen that can analyse none of its cameras has nothing to renew (the server would not know it).
      if (held.length === 0 && cameraIds.length === 0) return;
      const cameraStates = held.map((lease) => renewalOf(lease.cameraId, statsRef.current));
      void socket
        .timeout(PROBE_TIMEOUT_MS)
        .emitWithAck('lease:renew', { deploymentId, cameras: cameraStates })
        .then((answer) => {
          if (answer.ok) takeLeases(answer.leases);
          // The server no longer knows this screen here (it restarted, the lease table was reset, the deployment stopped): offer again.
          else if (!answer.error.startsWith('Too many')) offerState.needed(Date.now());
        })
        .catch(() => undefined);
    }, RENEW_EVERY_MS);
    return () => clearInterval(timer);
  }, [socket, deploymentId, offer, takeLeases, offerState, offering]);

  const submitProbe = useCallback(
    async (probe: Probe): Promise<ProbeResult> => {
      if (!socket?.connected) throw new Error('Not connected to the server.');
      const answer = await socket.timeout(PROBE_TIMEOUT_MS).emitWithAck('probe:submit', { deploymentId, ...probe });
      if ('error' in answer) {
        if (answer.error === 'deployment_not_live') setStopped(answer.message);
        throw new ProbeRefusedError(answer.error, answer.message);
      }
      return answer;
    },
    [socket, deploymentId],
  );

  const publishOverlay = useCallback(
    (cameraId: string, overlay: PublishedOverlay) => {
      if (socket?.connected) socket.emit('overlay:publish', { deploymentId, cameraId, ...overlay });
    },
    [socket, deploymentId],
  );

  const onStats = useCallback((stats: LiveStats) => {
    statsRef.current = stats;
  }, []);

  const analysis = useMemo(() => {
    const byCamera: Record<string, TileAnalysis> = {};
    const table = leases === null ? 'unknown' : 'known';
    for (const camera of cameras) {
      byCamera[camera.id] = tileAnalysisOf(
        leases?.find((l) => l.cameraId === camera.id),
        table,
        socketId,
        status === 'connected',
      );
    }
    return byCamera;
  }, [cameras, leases, socketId, status]);

  // Every camera of the deployment, those left off this wall included: they still need someone.
  const attention = allCameras.flatMap((camera) => {
    const lease = leases?.find((l) => l.cameraId === camera.id);
    return lease && lease.warnings.length > 0 ? [{ camera, lease }] : [];
  });

  return (
    <div className="live-layout" ref={wallRef} data-full-screen={fullScreen.full}>
      <div className="live-main">
        {stopped && (
          <p className="panel danger-text" role="alert">
            Matching has stopped: {stopped}
          </p>
        )}
        {joined !== 'pending' && joined !== 'ok' && (
          <p className="panel danger-text" role="alert">
            Cannot watch this deployment: {joined}
          </p>
        )}
        {status !== 'connected' && (
          <p className="panel warn-text" role="status">
            {status === 'unauthorized' ? 'Your session has ended — sign in again.' : 'Connecting to the server… faces are not being checked.'}
          </p>
        )}
        {/* Always present, so a screen reader hears each change of the warnings; its words change only when they do. */}
        <div role="status" aria-live="polite" data-testid="lease-health" data-count={attention.length}>
          {attention.length > 0 && (
            <div className="panel warn-text live-attention">
              <strong>Cameras needing attention</strong>
              <ul>
                {attention.map(({ camera, lease }) => (
                  <li key={camera.id} data-camera-id={camera.id} data-warnings={lease.warnings.join(' ')}>
                    {camera.name}: {healthWords(lease, 'live-page')}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
        <LiveGrid
          cameras={cameras}
          submitProbe={submitProbe}
          onStats={onStats}
          analysis={analysis}
          remoteOverlays={remoteOverlays}
          publishOverlay={publishOverlay}
          onShownCameras={setShownIds}
          layout={arrangement.grid}
          onLayoutChange={changeGrid}
          highlightId={linkedCameraId}
          fill
          toolbarEnd={
            <div className="live-wall-controls">
              <ArrangeCameras cameras={allCameras} arrangement={arrangement} onChange={changeArrangement} saveState={saveState} />
              <FullScreenButton {...fullScreen} />
              {videoWallHref && (
                <a
                  className="button small-button"
                  href={videoWallHref}
                  target="_blank"
                  rel="noopener"
                  title="Tiles only, no alert queue: for a second monitor. Opens in a new window."
                  data-testid="open-video-wall"
                >
                  Open video wall
                </a>
              )}
            </div>
          }
        />
      </div>
      {aside && (
        <aside className="live-aside" aria-label="Alerts">
          {aside}
        </aside>
      )}
    </div>
  );
}

/** A held camera's renewal, from its tile's figures: analysing while frames flow through a ready detector. */
function renewalOf(cameraId: string, stats: LiveStats | null): RenewedCamera {
  const tile = stats?.tiles.find((t) => t.cameraId === cameraId);
  if (!tile || tile.state === 'connecting') return { cameraId, state: 'connecting', detectionsPerSecond: 0 };
  if (tile.state === 'no-signal' || tile.state === 'error') {
    return { cameraId, state: 'source_down', reason: (tile.reason ?? 'The picture cannot be read here.').slice(0, 300), detectionsPerSecond: 0 };
  }
  if (stats?.detector.state !== 'ready') return { cameraId, state: 'connecting', detectionsPerSecond: 0 };
  return { cameraId, state: 'analysing', detectionsPerSecond: Math.min(1000, Math.round(tile.detectionsPerSecond * 10) / 10) };
}
