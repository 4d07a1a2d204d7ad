'use client';

import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from './events';

export type RealtimeSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type RealtimeStatus = 'connecting' | 'connected' | 'reconnecting' | 'unauthorized';

// One connection per tab, shared by every component that subscribes.
let shared: RealtimeSocket | null = null;
let status: RealtimeStatus = 'connecting';
const listeners = new Set<(s: RealtimeStatus) => void>();

function setStatus(next: RealtimeStatus) {
  status = next;
  for (const listener of listeners) listener(next);
}

function connect(): RealtimeSocket {
  if (shared) return shared;
  const socket: RealtimeSocket = io({ path: '/socket.io', withCredentials: true, reconnectionDelayMax: 5000 });
  socket.on('connect', () => setStatus('connected'));
  socket.on('disconnect', (reason) => {
    setStatus('reconnecting');
    // socket.io does not retry after the server closed the socket on purpose (access
    // changed); try once more so the handshake re-checks who we are.
    if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 500);
  });
  socket.io.on('reconnect_attempt', () => setStatus('reconnecting'));
  socket.on('connect_error', (error) => {
    // The session is gone (expired, signed out, disabled) or may not act until its password is
    // changed: retrying cannot help.
    if (error.message === 'unauthorized' || error.message === 'password_change_required') setStatus('unauthorized');
    else setStatus('reconnecting');
  });
  shared = socket;
  return socket;
}

/** The tab's realtime socket and its connection state; reconnects by itself. */
export function useRealtime(): { socket: RealtimeSocket | null; status: RealtimeStatus } {
  const [socket, setSocket] = useState<RealtimeSocket | null>(null);
  const [current, setCurrent] = useState<RealtimeStatus>(status);
  useEffect(() => {
    const s = connect();
    setSocket(s);
    listeners.add(setCurrent);
    setCurrent(s.connected ? 'connected' : status);
    return () => {
      listeners.delete(setCurrent);
    };
  }, []);
  return { socket, status: current };
}
