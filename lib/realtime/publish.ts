import type { Server, Socket } from 'socket.io';
import type { Role } from '@/lib/auth/permissions';
import { processState } from '@/lib/process-state';
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from './events';
import { ROOM_OF_ATTENTION, roomOfApiKey, roomOfDeployment, roomOfSession, roomOfUser } from './events';

export type RealtimeServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ServerSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/**
 * server.ts and Next's route handlers run in one process but in separate module graphs, so
 * the socket.io server is shared through globalThis. Publishing is a no-op when there is no
 * socket server (scripts, unit tests). Always persist first, then publish.
 */
const holder = processState<{ current?: RealtimeServer }>('realtimeServer', () => ({}));

export function registerRealtimeServer(io: RealtimeServer | undefined): void {
  holder.current = io;
}

export function realtimeServer(): RealtimeServer | undefined {
  return holder.current;
}

/**
 * Closes every socket of these sessions at once (they ended: sign-out, a disabled user, a role or
 * password change). A reconnect is refused at the handshake, since the session is no longer alive.
 */
export function disconnectSessionSockets(sessionIds: readonly string[], reason = 'Your session has ended. Sign in again.'): void {
  const io = realtimeServer();
  if (!io || sessionIds.length === 0) return;
  const rooms = sessionIds.map(roomOfSession);
  io.to(rooms).emit('session:revoked', { reason });
  io.in(rooms).disconnectSockets(true);
}

/**
 * Closes every socket opened with these API keys at once (revoked, or replaced by a rotation). A
 * reconnect with the same key is refused at the handshake.
 */
export function disconnectApiKeySockets(keyIds: readonly string[], reason = 'This API key has been revoked.'): void {
  const io = realtimeServer();
  if (!io || keyIds.length === 0) return;
  const rooms = keyIds.map(roomOfApiKey);
  io.to(rooms).emit('session:revoked', { reason });
  io.in(rooms).disconnectSockets(true);
}

/** Sends an event to everyone watching a deployment (after the change is committed). */
export function publishToDeployment<E extends keyof ServerToClientEvents>(
  deploymentId: string,
  event: E,
  ...payload: Parameters<ServerToClientEvents[E]>
): void {
  realtimeServer()
    ?.to(roomOfDeployment(deploymentId))
    .emit(event, ...payload);
  // Every alert event reaches its deployment's room through here: the home pages' counts follow.
  publishAttentionChanged();
}

/** Sends an event to every socket of one user, on any instance (after the change is committed). */
export function publishToUser<E extends keyof ServerToClientEvents>(userId: string, event: E, ...payload: Parameters<ServerToClientEvents[E]>): void {
  realtimeServer()
    ?.to(roomOfUser(userId))
    .emit(event, ...payload);
}

/** Changes within this long are told to the home pages once (a burst of alerts is one re-read). */
export const ATTENTION_COALESCE_MS = 250;
const attention = processState<{ timer?: ReturnType<typeof setTimeout> }>('attentionNudge', () => ({}));

/**
 * Tells every home page showing "What needs attention now" that it may have changed, after the
 * change has committed: `attention:changed` with no data, at most once per ATTENTION_COALESCE_MS.
 * Called for alerts (publishToDeployment), deployment lifecycle changes, watchlist entries and the
 * retention jobs; server.ts's realtime also ticks it for the faces figures.
 */
export function publishAttentionChanged(reason: 'change' | 'tick' = 'change'): void {
  const io = realtimeServer();
  if (!io) return;
  if (reason === 'tick') return void io.local.to(ROOM_OF_ATTENTION).emit('attention:changed', { reason });
  if (attention.timer) return;
  attention.timer = setTimeout(() => {
    attention.timer = undefined;
    realtimeServer()?.to(ROOM_OF_ATTENTION).emit('attention:changed', { reason: 'change' });
  }, ATTENTION_COALESCE_MS);
  attention.timer.unref?.();
}

/**
 * Takes out of a deployment's room every socket whose user may no longer see the deployment, so
 * its alerts stop reaching them (operators, when a plan goes back to draft). `maySee` is asked
 * once per role: the deployments' visibility rule depends on the role alone. Call after the change
 * has committed.
 */
export async function narrowDeploymentRoom(deploymentId: string, maySee: (viewer: { id: string; role: Role }) => Promise<boolean>): Promise<void> {
  const io = realtimeServer();
  if (!io) return;
  const room = roomOfDeployment(deploymentId);
  const verdicts = new Map<Role, Promise<boolean>>();
  // Every instance's sockets (through the adapter); if another instance does not answer, at least
  // this one's, and the caller logs the failure.
  const sockets = await io
    .in(room)
    .fetchSockets()
    .catch(async (error: unknown) => {
      console.error('[realtime] could not reach every instance to narrow a room; narrowed here only:', error instanceof Error ? error.message : error);
      return io.local.in(room).fetchSockets();
    });
  for (const socket of sockets) {
    const user = socket.data.user;
    if (!verdicts.has(user.role)) verdicts.set(user.role, maySee(user));
    if (!(await verdicts.get(user.role))) socket.leave(room);
  }
}
