import type { AlertView } from '@/lib/alerts/data';
import { isUnhandled, type AlertStatus } from '@/lib/alerts/state';

/**
 * The queue's copy of the alerts, newest first, kept by pure functions so that the socket
 * events, the initial pages and the reconnect resync can arrive in any order and still give
 * one list without losses or duplicates: every source is an upsert by id, and the higher
 * `version` wins (the server increments it on every change).
 */
export type CameraOption = { id: string; name: string; deploymentId: string; deploymentName: string };

export type AlertList = {
  /** Newest first: createdAt descending, then id descending (the server's own order). */
  readonly items: readonly AlertView[];
  /** How many are waiting for a decision (status new), kept as alerts come and change. */
  readonly unhandled: number;
  /** Every camera seen in the list, for the filter menu (an alert's camera never changes). */
  readonly cameras: ReadonlyMap<string, CameraOption>;
};

export const EMPTY_ALERT_LIST: AlertList = { items: [], unhandled: 0, cameras: new Map() };

/** Newest first, ties broken by id, exactly as GET /api/alerts orders them. */
export function compareNewestFirst(a: Pick<AlertView, 'createdAt' | 'id'>, b: Pick<AlertView, 'createdAt' | 'id'>): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? 1 : -1;
  return a.id === b.id ? 0 : a.id < b.id ? 1 : -1;
}

/** Where `alert` is, or would go, in a newest-first list: O(log n), as createdAt never changes. */
export function insertionIndex(items: readonly Pick<AlertView, 'createdAt' | 'id'>[], alert: Pick<AlertView, 'createdAt' | 'id'>): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNewestFirst(items[mid]!, alert) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The index of this alert (by id and createdAt) in a newest-first list, or -1. */
export function indexOfAlert(items: readonly AlertView[], alert: Pick<AlertView, 'createdAt' | 'id'>): number {
  const at = insertionIndex(items, alert);
  return items[at]?.id === alert.id ? at : -1;
}

const unhandledOf = (a: AlertView | undefined) => (a && isUnhandled(a.status) ? 1 : 0);

/**
 * Merges alerts into the list. An alert is taken when it is unknown or newer (higher version)
 * than the copy held; an older or equal copy is ignored, so a late page of the initial load
 * cannot undo a claim seen over the socket. Returns the same list object when nothing changed
 * (cheap for React to skip), and the alerts that were not known before.
 *
 * Cost with 10,000 alerts: a binary search per incoming alert and one copy of the array of
 * references — no per-alert map to copy — so a socket event costs microseconds, not
 * milliseconds. A big batch (a page of the initial load) is merged by one sort instead.
 */
export function mergeAlerts(list: AlertList, incoming: readonly AlertView[]): { list: AlertList; added: AlertView[] } {
  if (incoming.length > 64) return mergeBatch(list, incoming);
  let items: AlertView[] | null = null;
  let unhandled = list.unhandled;
  let cameras: Map<string, CameraOption> | null = null;
  const added: AlertView[] = [];
  for (const alert of incoming) {
    const current = items ?? list.items;
    const at = insertionIndex(current, alert);
    const held = current[at]?.id === alert.id ? current[at] : undefined;
    if (held && held.version >= alert.version) continue;
    items ??= [...list.items];
    unhandled += unhandledOf(alert) - unhandledOf(held);
    if (held) {
      items[at] = alert;
      const i = added.indexOf(held);
      if (i >= 0) added[i] = alert;
    } else {
      items.splice(at, 0, alert);
      added.push(alert);
      if (!(cameras ?? list.cameras).has(alert.camera.id)) (cameras ??= new Map(list.cameras)).set(alert.camera.id, cameraOf(alert));
    }
  }
  if (!items) return { list, added: [] };
  return { list: { items, unhandled, cameras: cameras ?? list.cameras }, added };
}

function cameraOf(alert: AlertView): CameraOption {
  return { id: alert.camera.id, name: alert.camera.name, deploymentId: alert.deploymentId, deploymentName: alert.deploymentName };
}

function mergeBatch(list: AlertList, incoming: readonly AlertView[]): { list: AlertList; added: AlertView[] } {
  const byId = new Map<string, AlertView>();
  for (const alert of list.items) byId.set(alert.id, alert);
  const added = new Map<string, AlertView>();
  let changed = false;
  for (const alert of incoming) {
    const held = byId.get(alert.id);
    if (held && held.version >= alert.version) continue;
    byId.set(alert.id, alert);
    changed = true;
    if (!held || added.has(alert.id)) added.set(alert.id, alert);
  }
  if (!changed) return { list, added: [] };
  const items = [...byId.values()].sort(compareNewestFirst);
  let unhandled = 0;
  const cameras = new Map(list.cameras);
  for (const alert of items) {
    unhandled += unhandledOf(alert);
    if (!cameras.has(alert.camera.id)) cameras.set(alert.camera.id, cameraOf(alert));
  }
  return { list: { items, unhandled, cameras }, added: [...added.values()] };
}

// ─── filters ────────────────────────────────────────────────────────────────────────────

export type StateFilter = 'open' | 'decided' | 'all' | 'unhandled' | 'claimed' | Exclude<AlertStatus, 'new'>;

export const STATE_FILTER_LABELS: Record<StateFilter, string> = {
  open: 'Open (awaiting first, oldest first)',
  decided: 'Decided (false alert or closed)',
  all: 'All states',
  unhandled: 'Awaiting decision',
  claimed: 'Claimed (held by someone)',
  false_alert: 'False alert',
  engaged: 'Engaging',
  closed: 'Closed',
};

export type AlertFilter = { state: StateFilter; deploymentId: string | null; cameraId: string | null };

/** The default: the open alerts, awaiting first and oldest first; decided ones have their own filter. */
export const NO_FILTER: AlertFilter = { state: 'open', deploymentId: null, cameraId: null };

export function matchesFilter(alert: AlertView, filter: AlertFilter): boolean {
  if (filter.deploymentId && alert.deploymentId !== filter.deploymentId) return false;
  if (filter.cameraId && alert.camera.id !== filter.cameraId) return false;
  switch (filter.state) {
    case 'all':
      return true;
    case 'open':
      return alert.status === 'new' || alert.status === 'engaged';
    case 'decided':
      return alert.status === 'false_alert' || alert.status === 'closed';
    case 'unhandled':
      return isUnhandled(alert.status);
    case 'claimed':
      return alert.claimedBy !== null;
    default:
      return alert.status === filter.state;
  }
}

export function isFiltered(filter: AlertFilter): boolean {
  return filter.state !== NO_FILTER.state || filter.deploymentId !== null || filter.cameraId !== null;
}

/** The list as the filter shows it (still newest first); the same array when the filter lets everything through. */
export function filterAlerts(items: readonly AlertView[], filter: AlertFilter): readonly AlertView[] {
  const everything = filter.state === 'all' && filter.deploymentId === null && filter.cameraId === null;
  return everything ? items : items.filter((a) => matchesFilter(a, filter));
}

/** The cameras for the filter menu, by name, optionally of one deployment. */
export function cameraOptions(cameras: AlertList['cameras'], deploymentId: string | null): CameraOption[] {
  return [...cameras.values()]
    .filter((c) => !deploymentId || c.deploymentId === deploymentId)
    .sort((x, y) => x.name.localeCompare(y.name) || x.deploymentName.localeCompare(y.deploymentName));
}

/**
 * Where a reconnect resync starts: the later of the server time of the last fetch and the
 * updatedAt of the last event seen, moved back by `marginMs` — events are published after
 * their commit, so one committed earlier can arrive after one committed later; the overlap
 * costs a few duplicates, which the merge drops.
 */
export function resyncSince(cursor: string | null, marginMs = 10_000): string | null {
  if (!cursor) return null;
  return new Date(Date.parse(cursor) - marginMs).toISOString();
}

export function laterOf(a: string | null, b: string | null): string | null {
  if (!a) return b;
  if (!b) return a;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}
