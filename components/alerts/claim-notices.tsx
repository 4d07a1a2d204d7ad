'use client';

import { useEffect, useSyncExternalStore } from 'react';
import { ToastStack, type Toast } from '@/components/ui/toast';
import type { ClaimLost } from '@/lib/realtime/events';
import { useRealtime } from '@/lib/realtime/use-realtime';
import { claimLostToast } from './claim-time';

/** At most this many notices at once: the oldest give way. */
const MAX_NOTICES = 4;

// One list per tab, shared by the page's stack and the one inside an open compare view.
type State = { toasts: readonly Toast[]; dialogHosts: number };
let state: State = { toasts: [], dialogHosts: 0 };
const listeners = new Set<() => void>();
function update(next: Partial<State>) {
  state = { ...state, ...next };
  for (const listener of listeners) listener();
}
const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};
const snapshot = () => state;

function add(toast: Toast) {
  if (state.toasts.some((t) => t.id === toast.id)) return;
  update({ toasts: [...state.toasts, toast].slice(-MAX_NOTICES) });
}
const dismiss = (id: string) => update({ toasts: state.toasts.filter((t) => t.id !== id) });

/**
 * Tells the holder, in words that stay on screen until dismissed, when their claim is taken away
 * by a senior officer or lapses (the server's `claim:lost`, sent to their sockets only).
 *
 * Mount one with `listen` on the page (the alert queue does): it follows the socket and shows the
 * notices. A modal compare view mounts its own (`inDialog`): everything outside a modal dialog is
 * inert, so while one is open the notices are shown inside it instead.
 */
export function ClaimNotices({ listen = false, inDialog = false }: { listen?: boolean; inDialog?: boolean }) {
  const { socket } = useRealtime();
  const current = useSyncExternalStore(subscribe, snapshot, snapshot);

  useEffect(() => {
    if (!listen || !socket) return;
    const onLost = (lost: ClaimLost) => add(claimLostToast(lost));
    socket.on('claim:lost', onLost);
    return () => void socket.off('claim:lost', onLost);
  }, [listen, socket]);

  useEffect(() => {
    if (!inDialog) return;
    update({ dialogHosts: state.dialogHosts + 1 });
    return () => update({ dialogHosts: state.dialogHosts - 1 });
  }, [inDialog]);

  if (!inDialog && current.dialogHosts > 0) return null;
  return <ToastStack toasts={current.toasts} onDismiss={dismiss} label="Claim notices" testId="claim-notices" />;
}
