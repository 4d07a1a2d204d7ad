import type { NearestTemplate } from '@/lib/matching/index';
import { analyseProbeCrop } from '@/lib/recognition/face-analysis';
import { closer, passes, score } from '@/lib/recognition/vectors';
import type { VerificationTemplates } from './matcher';

/**
 * The second stage: a candidate found by the browser's face-api descriptor becomes an alert only
 * if the verifying recogniser, run here on the probe's own crop, agrees. The crop is decoded, its
 * face found and aligned, and embedded once (in a face worker thread); that vector is compared
 * with the templates of every candidate entry. This also means a probe whose crop does not show
 * the face its descriptor describes cannot raise an alert.
 *
 * Nothing is kept: the crop's vector is dropped when this returns, match or not.
 */

export type Verified = {
  entryId: string;
  /** The reference image whose template scored best. */
  referenceImageId: string;
  /** The first stage's distance to that entry's nearest candidate template. */
  candidateDistance: number;
  /** The verifier's score, in its metric. */
  score: number;
};

export type VerificationOutcome = { verified: Verified | null; faceFound: boolean };

export async function verifyCandidates(
  crop: Uint8Array,
  candidates: readonly NearestTemplate[],
  templates: VerificationTemplates,
  threshold: number,
): Promise<VerificationOutcome> {
  const face = await analyseProbeCrop(crop, [templates.engineId]);
  const vector = face?.vectors[templates.engineId];
  if (!vector) return { verified: null, faceFound: false };

  let best: Verified | null = null;
  const seen = new Set<string>();
  for (const candidate of candidates) {
    if (seen.has(candidate.entryId)) continue;
    seen.add(candidate.entryId);
    for (const template of templates.byEntry.get(candidate.entryId) ?? []) {
      const value = score(vector, template.vector, templates.metric);
      if (!passes(value, threshold, templates.metric)) continue;
      if (!best || closer(value, best.score, templates.metric)) {
        best = { entryId: candidate.entryId, referenceImageId: template.referenceImageId, candidateDistance: candidate.distance, score: value };
      }
    }
  }
  return { verified: best, faceFound: true };
}
