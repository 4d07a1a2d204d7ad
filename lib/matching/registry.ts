import { TemplateIndex, type TemplateRow } from './index';

/**
 * The TemplateIndex of each live deployment, one per process. Kept on globalThis because Next's
 * route bundles and server.ts (socket.io) run in one process without sharing module instances,
 * and both must match against the same index rather than build one each.
 *
 * An index is built on the first probe of a deployment from its snapshot (`load`), then reused
 * until `dropIndex` — which the deployment lifecycle calls when a deployment stops being live or
 * its snapshot is replaced. The registry holds the build's promise from the moment it starts, so
 * simultaneous first probes share one build instead of loading the snapshot twice; a failed
 * build is forgotten, so the next probe tries again.
 */

export type SnapshotLoader = () => Promise<readonly TemplateRow[]>;

type Slot = { building: Promise<TemplateIndex> };

const holder = globalThis as typeof globalThis & { __sightlineMatchIndexes?: Map<string, Slot> };
const slots = (holder.__sightlineMatchIndexes ??= new Map());

/**
 * The index of `deploymentId`, built with `load` if there is none yet (`load` is not called
 * otherwise). Assumes the caller has checked that the deployment is live and that `load` reads
 * that deployment's current snapshot; rejects with `load`'s error or the index's RangeError for a
 * corrupt template.
 */
export function getIndex(deploymentId: string, load: SnapshotLoader): Promise<TemplateIndex> {
  const existing = slots.get(deploymentId);
  if (existing) return existing.building;
  const building = Promise.resolve()
    .then(load)
    .then((rows) => new TemplateIndex(rows));
  const slot: Slot = { building };
  slots.set(deploymentId, slot);
  building.catch(() => {
    // Only this build's own slot: a drop and rebuild may have replaced it meanwhile.
    if (slots.get(deploymentId) === slot) slots.delete(deploymentId);
  });
  return building;
}

/**
 * Forgets the index of `deploymentId` (it ended, was suspended, or its snapshot changed), so its
 * memory can be reclaimed and the next `getIndex` builds afresh. A probe already waiting on the old
 * build may still be answered from it. Returns whether there was one.
 */
export function dropIndex(deploymentId: string): boolean {
  return slots.delete(deploymentId);
}
