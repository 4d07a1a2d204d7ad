/**
 * The matcher of each live deployment's snapshot, one per process. Kept on globalThis because
 * Next's route bundles and server.ts (socket.io) run in one process without sharing module
 * instances, and both must match against the same matcher rather than build one each.
 *
 * A matcher is built on the first probe of a snapshot (`build`), then reused until `dropIndex` —
 * which the deployment lifecycle calls when a deployment stops being live or its snapshot is
 * replaced. The registry holds the build's promise from the moment it starts, so simultaneous
 * first probes share one build instead of loading the snapshot twice; a failed build is
 * forgotten, so the next probe tries again.
 */

type Slot = { building: Promise<unknown> };
import { processState } from '@/lib/process-state';

const slots = processState('matchIndexes', () => new Map<string, Slot>());

/**
 * The matcher of `key` (a snapshot id), built with `build` if there is none yet (`build` is not
 * called otherwise). Assumes the caller has checked that the deployment is live, that `build`
 * reads that snapshot, and that every caller for one key builds the same type; rejects with
 * `build`'s error (e.g. a RangeError for a corrupt template).
 */
export function getIndex<T>(key: string, build: () => Promise<T>): Promise<T> {
  const existing = slots.get(key);
  if (existing) return existing.building as Promise<T>;
  const building = Promise.resolve().then(build);
  const slot: Slot = { building };
  slots.set(key, slot);
  building.catch(() => {
    // Only this build's own slot: a drop and rebuild may have replaced it meanwhile.
    if (slots.get(key) === slot) slots.delete(key);
  });
  return building;
}

/**
 * Forgets the matcher of `key` (its deployment ended, was suspended, or its snapshot changed), so
 * its memory can be reclaimed and the next `getIndex` builds afresh. A probe already waiting on
 * the old build may still be answered from it. Returns whether there was one.
 */
export function dropIndex(key: string): boolean {
  return slots.delete(key);
}
