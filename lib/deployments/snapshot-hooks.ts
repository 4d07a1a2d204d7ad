import type { Audit } from '@/lib/audit/mutations';
import type { Tx } from '@/lib/db/client';
import * as snapshots from '@/lib/watchlists/snapshots';

/**
 * The deployment lifecycle's only contact with watchlist snapshots, pinned to the interface it
 * relies on so that a change on the watchlist side fails the type check here, not at go-live.
 * Both run inside the caller's audited transaction; the lifecycle passes an `audit` that adds
 * the acting officer (or none, for the housekeeping job), so 'snapshot.created' and
 * 'snapshot.purged' are recorded by the watchlist module with the details it owns.
 */

/**
 * Replaces the deployment's snapshot with the entries of its watchlists and categories, carrying
 * the templates of the recognisers given. Called only at go-live.
 */
export const createSnapshot: (
  tx: Tx,
  deploymentId: string,
  engines: readonly snapshots.SnapshotEngine[],
  audit?: Audit,
) => Promise<{ entryCount: number; imageCount: number }> = snapshots.createSnapshot;

/** Deletes the deployment's snapshot and stamps snapshotPurgedAt. Called when it stops being live. */
export const purgeSnapshot: (tx: Tx, deploymentId: string, audit?: Audit) => Promise<{ purged: boolean }> = snapshots.purgeSnapshot;
