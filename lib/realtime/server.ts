import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { can } from '@/lib/auth/permissions';
import { deliverAnnouncement, setAnnouncementRelay, setClusterStatusSource, type AnnouncementName } from '@/lib/cluster/bus';
import type { RealtimeTransport } from '@/lib/db/realtime-adapter';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '@/lib/db/unavailable';
import { sessionTokenFromCookieHeader } from '@/lib/auth/session-cookie';
import { loadActiveSession } from '@/lib/auth/session-user';
import { getDeploymentForViewer, isDeploymentVisibleTo } from '@/lib/deployments/data';
import { serverEnv } from '@/lib/config/env';
import { clientAddress } from '@/lib/http/client-ip';
import { HttpError } from '@/lib/http/errors';
import { allowSameOriginSocket } from '@/lib/http/origin-check';
import { STATIC_SECURITY_HEADERS } from '@/lib/http/security-headers';
import {
  auditTakeover,
  forgetEndedDeployments,
  LIVE_CHECK_MS,
  leasesForAgent,
  leasesForAnalyser,
  liveOverview,
  offerCameras,
  redacted,
  socketAnalyser,
} from '@/lib/live/lease-access';
import { clusterLeaseInstance, startClusterLeases } from '@/lib/live/cluster-leases';
import { recordCameraAnalysed } from '@/lib/live/face-counts';
import { LEASE_SWEEP_MS, leaseTable } from '@/lib/live/leases';
import { countRefusedConnection, maxSocketsPerUser, socketProbeBucket, takeSocketProbe } from '@/lib/live/limits';
import { submitProbe } from '@/lib/live/probes';
import { KeyedBuckets, TokenBucket } from '@/lib/live/token-bucket';
import { hasOverview } from '@/lib/overview/scope';
import { processState } from '@/lib/process-state';
import { findLiveSession, findLiveSessionIds } from '@/lib/sessions/data';
import { authenticateBearer } from '@/lib/service-accounts/auth';
import { findApiKeyForCheck, findUsableApiKeyIds } from '@/lib/service-accounts/data';
import { bearerToken } from '@/lib/service-accounts/keys';
import {
  DeploymentRoomSchema,
  ROOM_OF_ATTENTION,
  roomOfApiKey,
  LeaseOfferSchema,
  LeaseRenewSchema,
  OverlayFrameSchema,
  roomOfDeployment,
  roomOfDeploymentAgents,
  roomOfDeploymentCameras,
  roomOfDeploymentLeases,
  roomOfDeploymentLeasesRedacted,
  roomOfSession,
  roomOfUser,
  type ClusterHealth,
  type ProbeRefusal,
} from './events';
import { publishAttentionChanged, registerRealtimeServer, type RealtimeServer, type ServerSocket } from './publish';

/**
 * Lease requests (offers and renewals) one socket may send per deployment: a renewal a second,
 * with room for reconnects. Per deployment, so an agent serving several is not starved; a socket
 * may hold buckets for at most LEASE_DEPLOYMENTS_PER_SOCKET deployments.
 */
const LEASE_REQUESTS = { perSecond: 3, burst: 6 };
const LEASE_DEPLOYMENTS_PER_SOCKET = 32;
/** And in all, so naming many deployments (each offer reads the database) buys no more than this. */
const LEASE_REQUESTS_PER_SOCKET = { perSecond: 40, burst: 80 };
/** Overlay frames relayed per camera (more are dropped silently), for at most this many cameras a socket holds. */
const OVERLAYS = { perSecond: 10, burst: 10 };
const OVERLAY_CAMERAS_PER_SOCKET = 256;
/** Overlay frames one socket may send in all, checked before anything is parsed. */
const OVERLAYS_PER_SOCKET = { perSecond: 100, burst: 100 };
/** `overview:join` per socket (each reads the database). */
const OVERVIEW_JOINS = { perSecond: 0.5, burst: 3 };

/**
 * Attaches socket.io at /socket.io. The handshake is authenticated with the same Auth.js
 * session cookie as pages, and accepted only while its server-side session is alive: a
 * missing, forged, expired or ended session, or a disabled user, is refused with the error
 * message `unauthorized`; a session that must first choose its own password with
 * `password_change_required`. Every event checks the role again.
 *
 * Each socket joins its session's room, so ending the session closes it at once
 * (disconnectSessionSockets), and is closed when the session's absolute lifetime runs out.
 *
 * A program (a camera agent) sends its API key instead, as `Authorization: Bearer …` or
 * `auth: { token }`: a bad key is refused with `invalid_api_key` (its message says why), and the
 * socket joins its key's room (revoking or rotating the key closes it at once) and closes when the
 * key expires. Its role lets it send probes, nothing else (no alerts: deployment:join needs alert:read).
 */
export function attachRealtime(
  httpServer: HttpServer,
  { secret, transport = SINGLE_PROCESS }: { secret: string; transport?: Pick<RealtimeTransport, 'kind' | 'adapter' | 'healthy' | 'onHealthChange'> },
): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
    // Several instances: broadcasts, room operations and announcements go through the adapter.
    adapter: transport.adapter,
    path: '/socket.io',
    // Leave other upgrade requests (Next's hot reload) to server.ts.
    destroyUpgrade: false,
    maxHttpBufferSize: 256 * 1024,
    serveClient: false,
    // Pages on other origins may not open a socket with the user's cookie (lib/http/origin-check.ts).
    allowRequest: allowSameOriginSocket,
  });

  // engine.io answers its own requests (server.ts never sees them): the same headers as every
  // answer (it already marks its polling answers no-store).
  io.engine.on('headers', (headers: Record<string, string>) => {
    Object.assign(headers, STATIC_SECURITY_HEADERS);
  });

  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- socket.io ignores the promise; every path ends in next()
  io.use(async (socket, next) => {
    try {
      // A program (camera agent) authenticates with its API key instead of a cookie.
      const bearer = handshakeBearer(socket);
      if (bearer !== undefined) {
        const principal = await authenticateBearer(bearer, handshakeIp(socket));
        if (!principal) return next(new Error('invalid_api_key'));
        socket.data.user = principal.user;
        socket.data.sessionId = null;
        socket.data.apiKeyId = principal.keyId;
        socket.data.sessionExpiresAt = principal.expiresAt.getTime();
        return next();
      }
      const session = await loadActiveSession(await sessionTokenFromCookieHeader(socket.handshake.headers.cookie, secret));
      if (!session) return next(new Error('unauthorized'));
      if (session.mustChangePassword) return next(new Error('password_change_required'));
      socket.data.user = session.user;
      socket.data.sessionId = session.id;
      socket.data.apiKeyId = null;
      socket.data.sessionExpiresAt = session.expiresAt.getTime();
      next();
    } catch (error) {
      if (error instanceof HttpError && error.code === 'invalid_api_key') {
        const refusal = new Error('invalid_api_key') as Error & { data?: unknown };
        refusal.data = { message: error.message };
        return next(refusal);
      }
      console.error('[realtime] handshake failed', error);
      next(new Error('unauthorized'));
    }
  });

  // After authentication: a user holds at most MAX_SOCKETS_PER_USER connections at once, so one
  // account cannot open sockets without bound. A place is taken here, synchronously with the check
  // (so simultaneous handshakes cannot all pass it), and given back when the connection closes.
  const socketsOfUser = new Map<string, Set<string>>();
  io.use((socket, next) => {
    const userId = socket.data.user.id;
    const held = socketsOfUser.get(userId) ?? new Set<string>();
    if (held.size >= maxSocketsPerUser()) {
      countRefusedConnection();
      const refusal = new Error('too_many_connections') as Error & { data?: unknown };
      refusal.data = { message: `You already hold ${held.size} connections, the most one account may hold; close another window first.` };
      return next(refusal);
    }
    if (socket.conn.readyState !== 'open') return next(new Error('closed'));
    held.add(socket.id);
    socketsOfUser.set(userId, held);
    const release = () => {
      held.delete(socket.id);
      if (held.size === 0 && socketsOfUser.get(userId) === held) socketsOfUser.delete(userId);
    };
    // Whichever comes: the socket's disconnection, or its transport closing before it connected.
    const onClose = () => release();
    socket.once('disconnect', () => {
      release();
      // (a client may reconnect the namespace many times over one transport: keep no listener per socket)
      socket.conn.off('close', onClose);
    });
    socket.conn.once('close', onClose);
    next();
  });

  startLeaseUpkeep(io);
  startAttentionTick();
  startSocketRecheck(io);
  joinCluster(io, transport);

  io.on('connection', (socket) => {
    const user = socket.data.user;
    socket.emit('cluster:health', clusterHealth(transport));
    // This connection's own probe rate; the user's (over every connection and HTTP) is checked in submitProbe.
    const probes = socketProbeBucket();
    const analyser = socketAnalyser(user, socket.id);
    const leaseRequestsOf = new KeyedBuckets(LEASE_REQUESTS, LEASE_DEPLOYMENTS_PER_SOCKET);
    /** A lease request for this deployment within this socket's rate (false: refuse it). */
    const leaseRequests = new TokenBucket(LEASE_REQUESTS_PER_SOCKET, Date.now());
    const takeLeaseRequest = (deploymentId: unknown): boolean =>
      leaseRequestsOf.take(typeof deploymentId === 'string' ? deploymentId.slice(0, 64) : '', Date.now()) && leaseRequests.take(Date.now());
    let offersSent = 0;
    const overlaysOfCamera = new KeyedBuckets(OVERLAYS, OVERLAY_CAMERAS_PER_SOCKET);
    const overlays = new TokenBucket(OVERLAYS_PER_SOCKET, Date.now());
    const overviewJoins = new TokenBucket(OVERVIEW_JOINS, Date.now());
    // Whatever this socket held moves at once (a closed tab, a stopped agent, a lost network).
    socket.once('disconnect', () => {
      leaseTable().release(analyser.analyserId);
      leaseRequestsOf.clear();
      overlaysOfCamera.clear();
    });
    const tooManyLeaseRequests = 'Too many lease requests from this connection for this deployment: at most a few a second.';
    const deploymentIdOf = (payload: unknown) => (payload && typeof payload === 'object' ? (payload as { deploymentId?: unknown }).deploymentId : undefined);
    void socket.join(roomOfUser(user.id));
    // Events wait for the session (or API key) to be confirmed once more after joining its room (watchSession, watchApiKey).
    const sessionConfirmed = socket.data.apiKeyId ? watchApiKey(socket, socket.data.apiKeyId) : watchSession(socket);

    socket.on('whoami', (ack) => {
      if (typeof ack === 'function') ack(user);
    });

    // Joining a deployment's room delivers its alerts (face crops): only roles that read alerts,
    // and only for deployments the user may see.
    socket.on('deployment:join', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'alert:read')) return ack({ ok: false, error: 'Your role may not receive alerts.' });
      if (!(await sessionConfirmed)) return ack({ ok: false, error: 'Your session has ended.' });
      const parsed = DeploymentRoomSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required.' });
      const { deploymentId } = parsed.data;
      try {
        await getDeploymentForViewer(user, deploymentId);
      } catch (error) {
        return ack({ ok: false, error: error instanceof HttpError ? error.message : 'Could not join this deployment.' });
      }
      await socket.join([roomOfDeployment(deploymentId), roomOfDeploymentCameras(deploymentId)]);
      // A lifecycle change that narrowed the room between the check above and the join could not
      // see this socket: look again now that it is in the room.
      if (!(await isDeploymentVisibleTo(user, deploymentId))) {
        await socket.leave(roomOfDeployment(deploymentId));
        await socket.leave(roomOfDeploymentCameras(deploymentId));
        return ack({ ok: false, error: 'This deployment is no longer open to you.' });
      }
      ack({ ok: true });
    });

    // An analyser offers cameras it can read (docs/architecture.md#camera-leases).
    socket.on('lease:offer', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'camera:lease')) return ack({ ok: false, error: `Your role (${user.role}) may not analyse cameras.` });
      if (!takeLeaseRequest(deploymentIdOf(payload))) return ack({ ok: false, error: tooManyLeaseRequests });
      // Numbered as they arrive: an older offer whose checks finish after a newer one's changes nothing.
      const seq = ++offersSent;
      if (!(await sessionConfirmed)) return ack({ ok: false, error: 'Your session has ended.' });
      const parsed = LeaseOfferSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required, and cameraIds must be a list of camera ids.' });
      const { deploymentId, cameraIds } = parsed.data;
      try {
        const answer = await offerCameras(user, analyser, deploymentId, cameraIds, seq, handshakeIp(socket));
        if (!socket.connected) return leaseTable().release(analyser.analyserId);
        // Only once the checks passed (the answer carries the table, so no change is missed). An
        // agent gets its own cameras' changes only, and no overlays (they carry officers' match marks).
        await socket.join(analyser.kind === 'agent' ? roomOfDeploymentAgents(deploymentId) : roomOfDeploymentCameras(deploymentId));
        ack({ ok: true, ...answer });
      } catch (error) {
        ack(error instanceof HttpError ? { ok: false, error: error.message, code: error.code } : { ok: false, error: 'Could not offer these cameras.' });
      }
    });

    socket.on('lease:renew', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'camera:lease')) return ack({ ok: false, error: `Your role (${user.role}) may not analyse cameras.` });
      if (!takeLeaseRequest(deploymentIdOf(payload))) return ack({ ok: false, error: tooManyLeaseRequests });
      if (!(await sessionConfirmed)) return ack({ ok: false, error: 'Your session has ended.' });
      const parsed = LeaseRenewSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'A renewal needs deploymentId and cameras [{ cameraId, state, detectionsPerSecond }].' });
      const { deploymentId, cameras } = parsed.data;
      // Only an analyser the table knows here (it offered, or holds through a probe): so no further check of the deployment.
      if (!leaseTable().renew(deploymentId, analyser.analyserId, cameras)) {
        return ack({ ok: false, error: 'Offer the cameras of this live deployment first (lease:offer).' });
      }
      // Coverage: a minute in which the holder analysed the camera counts even if it saw no face.
      const now = new Date();
      for (const camera of cameras) {
        if (camera.state === 'analysing' && leaseTable().holderOf(deploymentId, camera.cameraId)?.analyserId === analyser.analyserId) {
          recordCameraAnalysed(deploymentId, camera.cameraId, now);
        }
      }
      ack({ ok: true, leases: leasesForAnalyser(user, analyser, deploymentId) });
    });

    // The holder's boxes for one frame go to everyone else watching the camera; anything else is dropped.
    socket.on('overlay:publish', (payload) => {
      if (!can(user.role, 'camera:lease')) return;
      // Cheap checks before any parsing: this socket's rate, then whether it holds the camera.
      if (!overlays.take(Date.now())) return;
      const raw = (payload && typeof payload === 'object' ? payload : {}) as { deploymentId?: unknown; cameraId?: unknown };
      if (typeof raw.deploymentId !== 'string' || typeof raw.cameraId !== 'string') return;
      if (leaseTable().holderOf(raw.deploymentId, raw.cameraId)?.analyserId !== analyser.analyserId) return;
      if (!overlaysOfCamera.take(`${raw.deploymentId}/${raw.cameraId}`, Date.now())) return;
      const parsed = OverlayFrameSchema.safeParse(payload);
      // (the schema trims ids: a frame whose ids were padded is not the held camera's)
      if (!parsed.success || parsed.data.deploymentId !== raw.deploymentId || parsed.data.cameraId !== raw.cameraId) return;
      const frame = parsed.data;
      // To every instance's screens: the holder is one analyser across the cluster (docs/architecture.md#several-instances).
      socket
        .to(roomOfDeploymentCameras(frame.deploymentId))
        .emit('overlay:frame', { ...frame, at: new Date().toISOString(), holder: { kind: analyser.kind, name: analyser.name } });
    });

    // The home page's live overview: lease tables of the live deployments this user may see.
    socket.on('overview:join', async (_payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'live:view') && !can(user.role, 'deployment:read')) return ack({ ok: false, error: 'Your role may not see live cameras.' });
      if (!overviewJoins.take(Date.now()))
        return ack({ ok: false, error: 'Too many requests for the live overview from this connection: wait a few seconds.' });
      if (!(await sessionConfirmed)) return ack({ ok: false, error: 'Your session has ended.' });
      try {
        const deployments = await liveOverview(user);
        // Roles without live:view follow a table without socket ids or reasons.
        const room = can(user.role, 'live:view') ? roomOfDeploymentLeases : roomOfDeploymentLeasesRedacted;
        await socket.join(deployments.map((d) => room(d.id)));
        ack({ ok: true, deployments });
      } catch (error) {
        console.error('[realtime] overview failed', error instanceof Error ? error.message : error);
        ack({ ok: false, error: 'Could not read the live cameras.' });
      }
    });

    // The home page's "What needs attention now": told when to read GET /api/overview again
    // (which checks the role itself); the event carries no data, so one room serves every role.
    socket.on('attention:join', async (_payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!hasOverview(user.role)) return ack({ ok: false, error: 'Your role has no overview.' });
      if (!(await sessionConfirmed)) return ack({ ok: false, error: 'Your session has ended.' });
      await socket.join(ROOM_OF_ATTENTION);
      ack({ ok: true });
    });

    socket.on('probe:submit', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const { deploymentId, ...probe } = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
      try {
        takeSocketProbe(probes);
        if (!(await sessionConfirmed)) throw new HttpError(401, 'unauthenticated', 'Your session has ended.');
        if (typeof deploymentId !== 'string') throw new HttpError(422, 'invalid_input', 'deploymentId is required.');
        ack(await submitProbe(user, deploymentId, probe, { ...analyser, connected: () => socket.connected }, handshakeIp(socket)));
      } catch (error) {
        ack(refusal(error));
      }
    });

    socket.on('deployment:leave', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = DeploymentRoomSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required.' });
      void socket.leave(roomOfDeployment(parsed.data.deploymentId));
      void socket.leave(roomOfDeploymentCameras(parsed.data.deploymentId));
      ack({ ok: true });
    });
  });

  registerRealtimeServer(io);
  return io;
}

/** This instance's name in logs, health answers and on screens' connection details. */
export function instanceName(): string {
  const env = serverEnv();
  // (not the address it listens on: /api/health tells anyone who asks)
  return env.SIGHTLINE_INSTANCE ?? `port ${env.PORT}`;
}

const SINGLE_PROCESS = { kind: 'none', adapter: undefined, healthy: () => true, onHealthChange: () => {} } as const;

function clusterHealth(transport: Pick<RealtimeTransport, 'kind' | 'healthy'>): ClusterHealth {
  const instance = instanceName();
  if (transport.healthy()) return { realtime: 'ok', message: null, instance };
  const bus = transport.kind === 'redis' ? 'Redis' : 'PostgreSQL';
  return {
    realtime: 'degraded',
    message: `This server cannot reach ${bus}: alerts and changes made through other Sightline servers may not appear here until it is back. Nothing is lost — reload once this notice has gone.`,
    instance,
  };
}

/**
 * Joins this instance to the others (lib/cluster/bus.ts): announcements made here are sent to them
 * through the adapter, theirs are delivered here; this instance's screens are told when the link
 * to the others is lost and back. With one process (no adapter) there is nobody to tell.
 */
function joinCluster(io: RealtimeServer, transport: Pick<RealtimeTransport, 'kind' | 'healthy' | 'onHealthChange'>): void {
  setClusterStatusSource(() => ({ adapter: transport.kind, realtime: transport.healthy() ? 'ok' : 'degraded', instance: instanceName() }));
  if (transport.kind === 'none') return setAnnouncementRelay(null);
  io.on('cluster:announce', (message) => {
    if (message && typeof message.name === 'string') deliverAnnouncement(message.name as AnnouncementName, message.payload);
  });
  setAnnouncementRelay((name, payload) => io.serverSideEmit('cluster:announce', { name, payload }));
  transport.onHealthChange(() => io.local.emit('cluster:health', clusterHealth(transport)));
}

/** How often every socket's session or API key is read again (a backstop for a lost disconnect). */
export const SOCKET_RECHECK_MS = 1000;

/**
 * Ending a session or revoking a key closes its sockets at once through the adapter
 * (disconnectSessionSockets). Should that message be lost — the link to the other instances down
 * while it was sent — this re-check closes them anyway within SOCKET_RECHECK_MS: one query for all
 * of this instance's sockets. A failed read (the database away) closes nothing.
 */
function startSocketRecheck(io: RealtimeServer): void {
  const recheck = processState<{ timer?: ReturnType<typeof setInterval> }>('socketRecheck', () => ({}));
  if (recheck.timer) clearInterval(recheck.timer);
  let running = false;
  let failing = false;
  recheck.timer = setInterval(() => {
    if (running) return;
    running = true;
    closeSocketsOfEndedSessions(io)
      .then(() => {
        failing = false;
      })
      .catch((error: unknown) => {
        // Once per outage, not every second.
        if (!failing) console.error('[realtime] session re-check skipped until the database answers:', error instanceof Error ? error.name : error);
        failing = true;
      })
      .finally(() => {
        running = false;
      });
  }, SOCKET_RECHECK_MS);
  recheck.timer.unref();
}

async function closeSocketsOfEndedSessions(io: RealtimeServer): Promise<void> {
  const sockets = [...io.of('/').sockets.values()];
  const sessionIds = [...new Set(sockets.flatMap((socket) => (socket.data.sessionId ? [socket.data.sessionId] : [])))];
  const keyIds = [...new Set(sockets.flatMap((socket) => (socket.data.apiKeyId ? [socket.data.apiKeyId] : [])))];
  const [liveSessions, usableKeys] = await Promise.all([findLiveSessionIds(sessionIds), findUsableApiKeyIds(keyIds)]);
  for (const socket of sockets) {
    const { sessionId, apiKeyId } = socket.data;
    const ended = sessionId ? !liveSessions.has(sessionId) : apiKeyId ? !usableKeys.has(apiKeyId) : false;
    if (!ended) continue;
    socket.emit('session:revoked', { reason: sessionId ? 'Your session has ended. Sign in again.' : 'This API key no longer works.' });
    socket.disconnect(true);
  }
}

/** The home pages' faces figures move with every face: they are read again this often. */
export const ATTENTION_TICK_MS = 15_000;

/** `attention:changed` (tick) every ATTENTION_TICK_MS; one per process, like the lease upkeep. */
function startAttentionTick(): void {
  const ticker = processState<{ timer?: ReturnType<typeof setInterval> }>('attentionTick', () => ({}));
  if (ticker.timer) clearInterval(ticker.timer);
  // Every instance ticks its own screens (publishAttentionChanged sends ticks locally).
  ticker.timer = setInterval(() => publishAttentionChanged('tick'), ATTENTION_TICK_MS);
  ticker.timer.unref();
}

/**
 * Keeps the lease table moving (lib/live/leases.ts): a sweep every LEASE_SWEEP_MS moves the leases
 * of frozen holders and raises warnings, and every change is published to the deployment's
 * cameras room (and the live overview) as `lease:changed`, once per tick however many changes it
 * saw. One per process: attaching again replaces the previous one. With several instances
 * (SIGHTLINE_ADAPTER set), the cameras' holders are also shared between them
 * (lib/live/cluster-leases.ts), so each camera is analysed by one analyser in the whole cluster;
 * a single process writes nothing for leases.
 */
function startLeaseUpkeep(io: RealtimeServer): void {
  const upkeep = processState<{ stop?: () => void }>('leaseUpkeep', () => ({}));
  upkeep.stop?.();
  const table = leaseTable();
  const pending = new Set<string>();
  let scheduled = false;
  const publish = () => {
    scheduled = false;
    for (const deploymentId of pending) {
      const leases = table.view(deploymentId);
      // This instance's view (cameras other instances hold named as theirs), to this instance's sockets.
      io.local.to([roomOfDeploymentCameras(deploymentId), roomOfDeploymentLeases(deploymentId)]).emit('lease:changed', { deploymentId, leases });
      io.local.to(roomOfDeploymentLeasesRedacted(deploymentId)).emit('lease:changed', { deploymentId, leases: leases.map(redacted) });
      // Each agent sees its own cameras only (its socket is on this instance, with its table).
      for (const socketId of io.sockets.adapter.rooms.get(roomOfDeploymentAgents(deploymentId)) ?? []) {
        io.sockets.sockets.get(socketId)?.emit('lease:changed', { deploymentId, leases: leasesForAgent(deploymentId, socketId) });
      }
    }
    pending.clear();
  };
  const unsubscribe = table.onChange((deploymentId) => {
    pending.add(deploymentId);
    if (scheduled) return;
    scheduled = true;
    setImmediate(publish);
  });
  const stopAuditing = table.onTakeover(auditTakeover);
  const sweeper = setInterval(() => table.sweep(), LEASE_SWEEP_MS);
  sweeper.unref();
  // Deployments that stopped being live by a path that did not tell the table (a window that ran out).
  let checking = false;
  const liveCheck = setInterval(() => {
    if (checking) return;
    checking = true;
    forgetEndedDeployments()
      .catch((error: unknown) => console.error('[leases] could not check which deployments are live:', error instanceof Error ? error.message : error))
      .finally(() => {
        checking = false;
      });
  }, LIVE_CHECK_MS);
  liveCheck.unref();
  const stopSharing = serverEnv().SIGHTLINE_ADAPTER === 'none' ? () => {} : startClusterLeases(table, clusterLeaseInstance(instanceName()));
  upkeep.stop = () => {
    clearInterval(sweeper);
    clearInterval(liveCheck);
    stopSharing();
    unsubscribe();
    stopAuditing();
  };
}

/**
 * Ties a connected socket to its session: in the session's room, so ending the session closes it
 * (disconnectSessionSockets), and closed when the session's absolute lifetime runs out, even
 * mid-shift on a busy screen. The session is read once more after joining: one ended between the
 * handshake's read and the join (when the room could not yet reach this socket) is caught here.
 */
async function watchSession(socket: ServerSocket): Promise<boolean> {
  const { sessionId, sessionExpiresAt } = socket.data;
  if (!sessionId) return false;
  closeAt(socket, sessionExpiresAt, 'Your session has expired. Sign in again.');
  await socket.join(roomOfSession(sessionId));
  try {
    if (await findLiveSession(sessionId)) return true;
  } catch (error) {
    console.error('[realtime] session check failed', error);
  }
  socket.disconnect(true);
  return false;
}

/** Closes the socket when its session's lifetime or its API key runs out. */
function closeAt(socket: ServerSocket, expiresAt: number, reason: string): void {
  const expire = () => {
    socket.emit('session:revoked', { reason });
    socket.disconnect(true);
  };
  // (setTimeout holds at most ~24.8 days: a key that lasts longer is looked at again then)
  const wait = Math.max(0, expiresAt - Date.now());
  const timer = setTimeout(() => (wait > MAX_TIMER_MS ? closeAt(socket, expiresAt, reason) : expire()), Math.min(wait, MAX_TIMER_MS));
  socket.once('disconnect', () => clearTimeout(timer));
}
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Ties a service account's socket to its API key: in the key's room, so revoking or rotating the
 * key closes it at once (disconnectApiKeySockets), and closed when the key expires. There is no
 * session to watch. The key is read once more after joining, as for sessions.
 */
async function watchApiKey(socket: ServerSocket, keyId: string): Promise<boolean> {
  closeAt(socket, socket.data.sessionExpiresAt, 'Your API key has expired; ask an admin to rotate it.');
  await socket.join(roomOfApiKey(keyId));
  try {
    const key = await findApiKeyForCheck(keyId);
    if (key && !key.revokedAt && !key.user.disabled && key.expiresAt.getTime() > Date.now()) return true;
  } catch (error) {
    console.error('[realtime] API key check failed', error);
  }
  socket.disconnect(true);
  return false;
}

/**
 * The API key of a handshake: `Authorization: Bearer …` (Node clients' extraHeaders), or
 * `auth: { token }` (clients that cannot set headers). undefined when there is neither.
 */
function handshakeBearer(socket: ServerSocket): string | undefined {
  const header = socket.handshake.headers.authorization;
  if (bearerToken(header) !== undefined) return header;
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
  return typeof token === 'string' ? `Bearer ${token}` : undefined;
}

function handshakeIp(socket: ServerSocket): string | null {
  return clientAddress(socket.request.socket.remoteAddress, socket.handshake.headers['x-forwarded-for'], serverEnv().TRUST_PROXY) || null;
}

function refusal(error: unknown): ProbeRefusal {
  if (error instanceof HttpError) return { error: error.code, message: error.message };
  if (isDatabaseUnavailable(error)) return { error: 'database_unavailable', message: DATABASE_UNAVAILABLE_MESSAGE };
  // Name and code only: an error's message may quote the query it came from, crop included.
  console.error('[realtime] probe failed:', error instanceof Error ? error.name : typeof error, (error as { code?: unknown })?.code ?? '');
  return { error: 'internal', message: 'The server could not process this probe.' };
}
