import { FACEAPI_DIMS, TemplateIndex } from '@/lib/matching/index';
import { getIndex } from '@/lib/matching/registry';
import type { Metric } from '@/lib/recognition/manifest';
import { bytesToVector } from '@/lib/recognition/vectors';
import { templatesOfSnapshot } from '@/lib/watchlists/data';

/**
 * What a live deployment matches with, built once per snapshot and shared by every probe:
 * - `candidates`: the face-api templates in the first-stage index (lib/matching/index.ts);
 * - `verification`: the verifying recogniser's templates, by entry, for the second stage.
 */
export type SnapshotMatcher = {
  candidates: TemplateIndex;
  verification: VerificationTemplates;
};

export type VerificationTemplates = {
  engineId: string;
  engineVersion: string;
  metric: Metric;
  /** Each entry's templates, with the reference image each was made from. */
  byEntry: Map<string, { referenceImageId: string; vector: Float32Array }[]>;
};

/** The snapshot's templates were made by another version of the verifier than the one running. */
export class SnapshotVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotVersionError';
  }
}

export type VerifierSpec = { engineId: string; engineVersion: string; metric: Metric; dims: number };

/**
 * The matcher of a snapshot, built from its stored templates on first use. Throws (and the
 * registry forgets the failed build) when a template is corrupt or of another version than the
 * recogniser now running — a snapshot must never be matched with vectors of another model.
 */
export function snapshotMatcher(snapshotId: string, candidateEngineId: string, verifier: VerifierSpec): Promise<SnapshotMatcher> {
  return getIndex(snapshotId, async () => {
    const [first, second] = await Promise.all([templatesOfSnapshot(snapshotId, candidateEngineId), templatesOfSnapshot(snapshotId, verifier.engineId)]);
    const candidates = new TemplateIndex(
      first.map((row) => ({ entryId: row.entryId, referenceImageId: row.referenceImageId, descriptor: row.vector })),
      first[0]?.dims ?? FACEAPI_DIMS,
    );
    const byEntry = new Map<string, { referenceImageId: string; vector: Float32Array }[]>();
    for (const row of second) {
      if (row.engineVersion !== verifier.engineVersion) {
        throw new SnapshotVersionError(`The snapshot holds ${verifier.engineId} ${row.engineVersion} templates, but ${verifier.engineVersion} is running.`);
      }
      const list = byEntry.get(row.entryId) ?? [];
      list.push({ referenceImageId: row.referenceImageId, vector: bytesToVector(row.vector, verifier.dims) });
      byEntry.set(row.entryId, list);
    }
    return { candidates, verification: { engineId: verifier.engineId, engineVersion: verifier.engineVersion, metric: verifier.metric, byEntry } };
  });
}
