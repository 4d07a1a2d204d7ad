import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { can } from '@/lib/auth/permissions';
import { sessionTokenFromCookieHeader } from '@/lib/auth/session-cookie';
import { loadActiveSession } from '@/lib/auth/session-user';
import { getDeploymentForViewer, isDeploymentVisibleTo } from '@/lib/deployments/data';
import { HttpError } from '@/lib/http/errors';
import { allowSameOriginSocket } from '@/lib/http/origin-check';
import { STATIC_SECURITY_HEADERS } from '@/lib/http/security-headers';
import { countRefusedConnection, maxSocketsPerUser, socketProbeBucket, takeSocketProbe } from '@/lib/live/limits';
import { submitProbe } from '@/lib/live/probes';
import { findLiveSession } from '@/lib/sessions/data';
import { DeploymentRoomSchema, roomOfDeployment, roomOfSession, roomOfUser, type ProbeRefusal } from './events';
import { registerRealtimeServer, type RealtimeServer, type ServerSocket } from './publish';

/**
 * Attaches socket.io at /socket.io. The handshake is authenticated with the same Auth.js
 * session cookie as pages, and accepted only while its server-side session is alive: a
 * missing, forged, expired or ended session, or a disabled user, is refused with the error
 * message `unauthorized`; a session that must first choose its own password with
 * `password_change_required`. Every event checks the role again.
 *
 * Each socket joins its session's room, so ending the session closes it at once
 * (disconnectSessionSockets), and is closed when the session's absolute lifetime runs out.
 */
export function attachRealtime(httpServer: HttpServer, { secret }: { secret: string }): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
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
      const session = await loadActiveSession(await sessionTokenFromCookieHeader(socket.handshake.headers.cookie, secret));
      if (!session) return next(new Error('unauthorized'));
      if (session.mustChangePassword) return next(new Error('password_change_required'));
      socket.data.user = session.user;
      socket.data.sessionId = session.id;
      socket.data.sessionExpiresAt = session.expiresAt.getTime();
      next();
    } catch (error) {
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

  io.on('connection', (socket) => {
    const user = socket.data.user;
    // This connection's own probe rate; the user's (over every connection and HTTP) is checked in submitProbe.
    const probes = socketProbeBucket();
    void socket.join(roomOfUser(user.id));
    // Events wait for the session to be confirmed once more after joining its room (watchSession).
    const sessionConfirmed = watchSession(socket);

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
      await socket.join(roomOfDeployment(deploymentId));
      // A lifecycle change that narrowed the room between the check above and the join could not
      // see this socket: look again now that it is in the room.
      if (!(await isDeploymentVisibleTo(user, deploymentId))) {
        await socket.leave(roomOfDeployment(deploymentId));
        return ack({ ok: false, error: 'This deployment is no longer open to you.' });
      }
      ack({ ok: true });
    });

    socket.on('probe:submit', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const { deploymentId, ...probe } = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
      try {
        takeSocketProbe(probes);
        if (!(await sessionConfirmed)) throw new HttpError(401, 'unauthenticated', 'Your session has ended.');
        if (typeof deploymentId !== 'string') throw new HttpError(422, 'invalid_input', 'deploymentId is required.');
        ack(await submitProbe(user, deploymentId, probe));
      } catch (error) {
        ack(refusal(error));
      }
    });

    socket.on('deployment:leave', (payload, ack) => {
      if (typeof ack !== 'function') return;
      const parsed = DeploymentRoomSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required.' });
      void socket.leave(roomOfDeployment(parsed.data.deploymentId));
      ack({ ok: true });
    });
  });

  registerRealtimeServer(io);
  return io;
}

/**
 * Ties a connected socket to its session: in the session's room, so ending the session closes it
 * (disconnectSessionSockets), and closed when the session's absolute lifetime runs out, even
 * mid-shift on a busy screen. The session is read once more after joining: one ended between the
 * handshake's read and the join (when the room could not yet reach this socket) is caught here.
 */
async function watchSession(socket: ServerSocket): Promise<boolean> {
  const { sessionId, sessionExpiresAt } = socket.data;
  const expire = () => {
    socket.emit('session:revoked', { reason: 'Your session has expired. Sign in again.' });
    socket.disconnect(true);
  };
  const timer = setTimeout(expire, Math.max(0, sessionExpiresAt - Date.now()));
  socket.once('disconnect', () => clearTimeout(timer));
  await socket.join(roomOfSession(sessionId));
  try {
    if (await findLiveSession(sessionId)) return true;
  } catch (error) {
    console.error('[realtime] session check failed', error);
  }
  socket.disconnect(true);
  return false;
}

function refusal(error: unknown): ProbeRefusal {
  if (error instanceof HttpError) return { error: error.code, message: error.message };
  // Name and code only: an error's message may quote the query it came from, crop included.
  console.error('[realtime] probe failed:', error instanceof Error ? error.name : typeof error, (error as { code?: unknown })?.code ?? '');
  return { error: 'internal', message: 'The server could not process this probe.' };
}
