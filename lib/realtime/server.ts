import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { can } from '@/lib/auth/permissions';
import { userIdFromCookieHeader } from '@/lib/auth/session-cookie';
import { loadSessionUser } from '@/lib/auth/session-user';
import { DeploymentRoomSchema, roomOfDeployment, roomOfUser } from './events';
import { registerRealtimeServer, type RealtimeServer } from './publish';

/**
 * Attaches socket.io at /socket.io. The handshake is authenticated with the same Auth.js
 * session cookie as pages; a missing, forged or expired cookie, or a disabled user, is
 * refused with the error message `unauthorized`. Every event checks the role again.
 */
export function attachRealtime(httpServer: HttpServer, { secret }: { secret: string }): RealtimeServer {
  const io: RealtimeServer = new Server(httpServer, {
    path: '/socket.io',
    // Leave other upgrade requests (Next's hot reload) to server.ts.
    destroyUpgrade: false,
    maxHttpBufferSize: 256 * 1024,
    serveClient: false,
  });

  io.use(async (socket, next) => {
    try {
      const userId = await userIdFromCookieHeader(socket.handshake.headers.cookie, secret);
      const user = userId ? await loadSessionUser(userId) : null;
      if (!user) return next(new Error('unauthorized'));
      socket.data.user = user;
      next();
    } catch (error) {
      console.error('[realtime] handshake failed', error);
      next(new Error('unauthorized'));
    }
  });

  io.on('connection', (socket) => {
    const user = socket.data.user;
    void socket.join(roomOfUser(user.id));

    socket.on('whoami', (ack) => {
      if (typeof ack === 'function') ack(user);
    });

    socket.on('deployment:join', (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'live:view')) return ack({ ok: false, error: 'Your role may not watch deployments.' });
      const parsed = DeploymentRoomSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required.' });
      void socket.join(roomOfDeployment(parsed.data.deploymentId));
      ack({ ok: true });
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
