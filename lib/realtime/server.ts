import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { can } from '@/lib/auth/permissions';
import { userIdFromCookieHeader } from '@/lib/auth/session-cookie';
import { loadSessionUser } from '@/lib/auth/session-user';
import { getDeploymentForViewer } from '@/lib/deployments/data';
import { HttpError } from '@/lib/http/errors';
import { allowSameOriginSocket } from '@/lib/http/origin-check';
import { submitProbe } from '@/lib/live/probes';
import { DeploymentRoomSchema, roomOfDeployment, roomOfUser, type ProbeRefusal } from './events';
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
    // Pages on other origins may not open a socket with the user's cookie (lib/http/origin-check.ts).
    allowRequest: allowSameOriginSocket,
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

    // Joining a deployment's room delivers its alerts (face crops): only roles that read alerts,
    // and only for deployments the user may see.
    socket.on('deployment:join', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      if (!can(user.role, 'alert:read')) return ack({ ok: false, error: 'Your role may not receive alerts.' });
      const parsed = DeploymentRoomSchema.safeParse(payload);
      if (!parsed.success) return ack({ ok: false, error: 'deploymentId is required.' });
      try {
        await getDeploymentForViewer(user, parsed.data.deploymentId);
      } catch (error) {
        return ack({ ok: false, error: error instanceof HttpError ? error.message : 'Could not join this deployment.' });
      }
      await socket.join(roomOfDeployment(parsed.data.deploymentId));
      ack({ ok: true });
    });

    socket.on('probe:submit', async (payload, ack) => {
      if (typeof ack !== 'function') return;
      const { deploymentId, ...probe } = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
      try {
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

function refusal(error: unknown): ProbeRefusal {
  if (error instanceof HttpError) return { error: error.code, message: error.message };
  // Name and code only: an error's message may quote the query it came from, crop included.
  console.error('[realtime] probe failed:', error instanceof Error ? error.name : typeof error, (error as { code?: unknown })?.code ?? '');
  return { error: 'internal', message: 'The server could not process this probe.' };
}
