'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { AlertView } from '@/lib/alerts/data';
import { ALERT_EVENTS, type AlertEventName } from '@/lib/realtime/events';
import { useRealtime, type RealtimeStatus } from '@/lib/realtime/use-realtime';
import { fetchAlertPage } from './alert-api';
import { EMPTY_ALERT_LIST, laterOf, mergeAlerts, resyncSince, type AlertList } from './alert-store';

/** The initial load stops after this many alerts per deployment (newest first). */
export const MAX_LOADED_ALERTS = 10_000;
const PAGE_SIZE = 500;
/** Socket events are applied in small batches: a burst of sightings re-renders once. */
const FLUSH_MS = 30;

export type FeedState = {
  phase: 'loading' | 'ready' | 'error';
  /** Alerts the initial load has fetched so far, and how many the server has. */
  loaded: number;
  total: number;
  /** More alerts exist than MAX_LOADED_ALERTS: the oldest are not shown. */
  truncated: boolean;
  error: string | null;
};

export type AlertFeed = {
  list: AlertList;
  state: FeedState;
  realtime: RealtimeStatus;
  /** Server clock minus this browser's, so "12 s ago" is right on a badly set PC. */
  clockOffsetMs: number;
  /** Merge an alert the server returned (after an action); ignored if older than the copy held. */
  apply(alert: AlertView): void;
};

export type AlertFeedOptions = {
  /** New alerts learnt from the socket or a resync (never from the initial load). */
  onNewAlerts?(alerts: AlertView[]): void;
};

/**
 * The alerts of some deployments, kept current. How nothing is lost or shown twice:
 * - the initial load pages through GET /api/alerts?deploymentId=… (newest first; an insertion
 *   while paging only repeats an item, which the merge drops);
 * - every socket event carries the whole alert; all sources merge by id and version;
 * - after each (re)join of the deployment rooms, GET /api/alerts?since=… fetches what changed
 *   meanwhile, from the last fetch's server time or the last event seen, less a margin.
 * Rooms are joined on every connect (a reconnect is a new socket on the server) and never left:
 * another component on the page may share the tab's socket and the room.
 */
export function useAlertFeed(deploymentIds: readonly string[], { onNewAlerts }: AlertFeedOptions = {}): AlertFeed {
  const { socket, status } = useRealtime();
  const [list, setList] = useState<AlertList>(EMPTY_ALERT_LIST);
  const [state, setState] = useState<FeedState>({ phase: 'loading', loaded: 0, total: 0, truncated: false, error: null });
  const [clockOffsetMs, setClockOffsetMs] = useState(0);

  const listRef = useRef<AlertList>(EMPTY_ALERT_LIST);
  const onNewRef = useRef(onNewAlerts);
  onNewRef.current = onNewAlerts;
  const key = deploymentIds.join(',');

  // Sync state shared by the socket handlers and the loaders of the current deploymentIds.
  const sync = useRef({ cursor: null as string | null, loadDone: false, joined: false, resyncPending: false, generation: 0 });
  /** Set by the load effect for the current deploymentIds; called after every join. */
  const resyncRef = useRef<() => Promise<void>>(async () => undefined);

  const merge = useCallback((incoming: readonly AlertView[], announce: boolean) => {
    const { list: next, added } = mergeAlerts(listRef.current, incoming);
    if (next === listRef.current) return;
    listRef.current = next;
    setList(next);
    if (announce && added.length) {
      const fresh = added.filter((a) => a.status === 'new');
      if (fresh.length) onNewRef.current?.(fresh);
    }
  }, []);

  const apply = useCallback((alert: AlertView) => merge([alert], false), [merge]);

  // ── initial load, and the resync after every join ──────────────────────────────────────
  useEffect(() => {
    const ids = key ? key.split(',') : [];
    const s = sync.current;
    const generation = ++s.generation;
    Object.assign(s, { cursor: null, loadDone: false, resyncPending: false });
    listRef.current = EMPTY_ALERT_LIST;
    setList(EMPTY_ALERT_LIST);
    const abort = new AbortController();
    const current = () => generation === sync.current.generation && !abort.signal.aborted;

    const resync = async () => {
      const since = resyncSince(s.cursor);
      if (!since) return;
      try {
        for (const deploymentId of ids) {
          let serverTime: string | null = null;
          for (let page = 1; ; page++) {
            const answer = await fetchAlertPage({ deploymentId, page, pageSize: PAGE_SIZE, since }, abort.signal);
            if (!current()) return;
            serverTime ??= answer.serverTime;
            merge(answer.alerts, true);
            if (page * PAGE_SIZE >= answer.total) break;
          }
          s.cursor = laterOf(s.cursor, serverTime);
        }
      } catch (error) {
        if (current()) console.warn('[alerts] resync failed; the next reconnect retries', error);
      }
    };
    resyncRef.current = async () => {
      if (!current()) return;
      if (!s.loadDone) {
        s.resyncPending = true;
        return;
      }
      await resync();
    };

    // Not awaited by the effect: every failure is caught below and shown as the error phase.
    void (async () => {
      setState({ phase: 'loading', loaded: 0, total: 0, truncated: false, error: null });
      let loaded = 0;
      let total = 0;
      let truncated = false;
      let cursor: string | null = null;
      try {
        // First pages of every deployment before the rest, so the newest show at once.
        const firsts = await Promise.all(ids.map((deploymentId) => fetchAlertPage({ deploymentId, page: 1, pageSize: PAGE_SIZE }, abort.signal)));
        if (!current()) return;
        const first = firsts[0];
        if (first) setClockOffsetMs(Date.parse(first.serverTime) - Date.now());
        for (const answer of firsts) {
          merge(answer.alerts, false);
          loaded += answer.alerts.length;
          total += answer.total;
          // The earliest snapshot is the one the resync must start from.
          cursor = cursor && Date.parse(cursor) < Date.parse(answer.serverTime) ? cursor : answer.serverTime;
        }
        setState({ phase: 'loading', loaded, total, truncated, error: null });
        for (const [i, deploymentId] of ids.entries()) {
          const wanted = Math.min(firsts[i]!.total, MAX_LOADED_ALERTS);
          truncated ||= firsts[i]!.total > MAX_LOADED_ALERTS;
          for (let page = 2; (page - 1) * PAGE_SIZE < wanted; page++) {
            const answer = await fetchAlertPage({ deploymentId, page, pageSize: PAGE_SIZE }, abort.signal);
            if (!current()) return;
            merge(answer.alerts, false);
            loaded += answer.alerts.length;
            setState({ phase: 'loading', loaded, total, truncated, error: null });
          }
        }
        s.cursor = laterOf(s.cursor, cursor);
        s.loadDone = true;
        setState({ phase: 'ready', loaded, total, truncated, error: null });
        if (s.resyncPending) {
          s.resyncPending = false;
          await resync();
        }
      } catch (error) {
        if (!current()) return;
        setState({ phase: 'error', loaded, total, truncated, error: error instanceof Error ? error.message : 'The alerts could not be loaded.' });
      }
    })();

    return () => abort.abort();
  }, [key, merge]);

  // ── socket: join rooms on every connect, merge events ──────────────────────────────────
  useEffect(() => {
    if (!socket) return;
    const ids = key ? key.split(',') : [];
    const s = sync.current;
    let pending: AlertView[] = [];
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const batch = pending;
      pending = [];
      merge(batch, true);
    };
    const onEvent = (alert: AlertView) => {
      if (!ids.includes(alert.deploymentId)) return;
      // The cursor follows events only while the feed is complete up to them.
      if (s.loadDone && s.joined) s.cursor = laterOf(s.cursor, alert.updatedAt);
      pending.push(alert);
      timer ??= setTimeout(flush, FLUSH_MS);
    };
    const handlers = ALERT_EVENTS.map((name: AlertEventName) => [name, onEvent] as const);
    for (const [name, handler] of handlers) socket.on(name, handler);

    const join = async () => {
      s.joined = false;
      const answers = await Promise.all(
        ids.map((deploymentId) =>
          socket
            .timeout(10_000)
            .emitWithAck('deployment:join', { deploymentId })
            .catch(() => ({ ok: false as const, error: 'timeout' })),
        ),
      );
      for (const [i, answer] of answers.entries()) if (!answer.ok) console.warn(`[alerts] could not join deployment ${ids[i]}: ${answer.error}`);
      s.joined = true;
      await resyncRef.current();
    };
    const onDisconnect = () => {
      s.joined = false;
    };
    socket.on('connect', join);
    socket.on('disconnect', onDisconnect);
    if (socket.connected) void join();
    return () => {
      for (const [name, handler] of handlers) socket.off(name, handler);
      socket.off('connect', join);
      socket.off('disconnect', onDisconnect);
      if (timer) clearTimeout(timer);
      if (pending.length) merge(pending, false);
    };
  }, [socket, key, merge]);

  return { list, state, realtime: status, clockOffsetMs, apply };
}
