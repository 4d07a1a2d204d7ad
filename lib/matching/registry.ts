import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';

/**
 * The matcher of each live deployment's snapshot, one per process. Kept on globalThis because
 * Next's route bundles and server.ts (socket.io) run in one process without sharing module
 * instances, and both must match against the same matcher rather than build one each.
 *
 * A matcher is built on the first probe of a snapshot (`build`), then reused until `dropIndex`
 * (its deployment's state shows another snapshot) or `retireIndex` (the snapshot is deleted, when
 * a deployment stops being live). The registry holds the build's promise from the moment it starts, so simultaneous
 * first probes share one build instead of loading the snapshot twice; a failed build is
 * forgotten, so the next probe tries again.
 */

type Slot = { building: Promise<unknown> };

const slots = processState('matchIndexes', () => new Map<string, Slot>());
/** Keys of deleted snapshots (a few per deployment: small, and they must not come back). */
const retired = processState('retiredMatchIndexes', () => new Set<string>());

/**
 * The matcher of `key` (a snapshot id), built with `build` if there is none yet (`build` is not
 * called otherwise). Assumes the caller has checked that the deployment is live, that `build`
 * reads that snapshot, and that every caller for one key builds the same type; rejects with
 * `build`'s error (e.g. a RangeError for a corrupt template).
 */
export function getIndex<T>(key: string, build: () => Promise<T>): Promise<T> {
  if (retired.has(key)) {
    return Promise.reject(new HttpError(409, 'deployment_not_live', "This deployment's watchlist snapshot has been deleted: it no longer accepts faces."));
  }
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

/**
 * Forgets the matcher of `key` for good: its snapshot is being deleted. A probe that still saw the
 * deployment live (its state is cached for up to a second) must not rebuild the matcher from the
 * snapshot's rows before the deletion commits — that would keep purged templates in memory with
 * nobody to drop them. Snapshot ids are never reused, so a retired key stays retired.
 */
export function retireIndex(key: string): void {
  retired.add(key);
  slots.delete(key);
}
