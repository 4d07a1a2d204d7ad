import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '@/lib/realtime/events';

export type TestSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Connects like the browser does (cookie in the handshake); resolves on connect or its refusal. */
export function connectSocket(baseUrl: string, cookie?: string): Promise<{ socket: TestSocket; error?: string }> {
  const socket: TestSocket = io(baseUrl, {
    path: '/socket.io',
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: cookie ? { cookie } : {},
    timeout: 10_000,
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (error) => resolve({ socket, error: error.message }));
  });
}
