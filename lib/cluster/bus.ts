import { processState } from '@/lib/process-state';

/**
 * Announcements between the Sightline instances serving one control room (docs/architecture.md#several-instances).
 * A change committed on one instance makes every instance — this one included — drop what it had
 * cached about it: a deployment's live state and matcher, a session or API key that ended. It is a
 * notification, not a time-out: with several instances, the others hear of it as soon as the
 * socket.io adapter delivers it (milliseconds), and caches keep their own short expiry besides, so a
 * lost announcement (an instance briefly cut off) is corrected within that expiry.
 *
 * Delivered through socket.io's `serverSideEmit`, which the adapter carries to the other instances
 * (lib/realtime/server.ts wires it); with one process there are no others and only the local
 * handlers run. Payloads carry ids only — never anything about a face.
 */
export type Announcements = {
  /** A deployment changed state, or its snapshot did: forget its live context and matcher. */
  'deployment:changed': { deploymentId: string };
  /** These sessions ended (sign-out, disabled user, role or password change): forget cached checks of them. */
  'sessions:ended': { sessionIds: string[] };
  /** These API keys stopped working (revoked, rotated, account disabled). */
  'api-keys:ended': { keyIds: string[]; userIds: string[] };
};

export type AnnouncementName = keyof Announcements;
type Handler<E extends AnnouncementName> = (payload: Announcements[E]) => void;
type Relay = (name: AnnouncementName, payload: unknown) => void;

// One registry per process: Next's route bundles and server.ts load this module separately.
const registry = processState('clusterBus', () => ({
  handlers: new Map<AnnouncementName, Map<string, (payload: unknown) => void>>(),
  relay: null as Relay | null,
}));

/**
 * Registers what this process does when `name` is announced, here or on another instance. `owner`
 * names the handler: each module graph of the process registers the same one, and the later
 * registration replaces the earlier rather than running twice (their state is shared anyway).
 */
export function onAnnouncement<E extends AnnouncementName>(name: E, owner: string, handler: Handler<E>): void {
  const forName = registry.handlers.get(name) ?? new Map<string, (payload: unknown) => void>();
  forName.set(owner, handler as (payload: unknown) => void);
  registry.handlers.set(name, forName);
}

/** Runs this process's handlers for an announcement (its own, or one relayed from another instance). */
export function deliverAnnouncement(name: AnnouncementName, payload: unknown): void {
  for (const [owner, handler] of registry.handlers.get(name) ?? []) {
    try {
      handler(payload);
    } catch (error) {
      console.error(`[cluster] ${owner} failed on ${name}:`, error instanceof Error ? error.message : error);
    }
  }
}

/** Announces a committed change to every instance: this one at once, the others through the relay. */
export function announce<E extends AnnouncementName>(name: E, payload: Announcements[E]): void {
  deliverAnnouncement(name, payload);
  registry.relay?.(name, payload);
}

/** Set by the realtime server: how announcements reach the other instances (null: there are none). */
export function setAnnouncementRelay(relay: Relay | null): void {
  registry.relay = relay;
}

/** What this instance says about its link to the others (the realtime server sets it; /api/health reads it). */
export type ClusterStatus = { adapter: 'none' | 'postgres' | 'redis'; realtime: 'ok' | 'degraded'; instance: string };
const status = processState<{ read: (() => ClusterStatus) | null }>('clusterStatus', () => ({ read: null }));

export function setClusterStatusSource(read: (() => ClusterStatus) | null): void {
  status.read = read;
}

/** This instance's cluster status, or null outside a running server (scripts, unit tests). */
export function clusterStatus(): ClusterStatus | null {
  return status.read?.() ?? null;
}
