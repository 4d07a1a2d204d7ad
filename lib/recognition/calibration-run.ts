import { UndecodableImageError } from '@/lib/face/node-engine';
import { COUNTED_FACE_MIN_SCORE } from '@/lib/face/quality-gate';
import { calibrateInSlices, type CalibrationResult, type CalibrationSample } from './calibration';
import type { LabelledSet } from './calibration-set';
import { enabledEngines } from './engines';
import { analyseFaces } from './face-analysis';
import { FACEAPI_ENGINE_ID } from './manifest';

/**
 * Measures every enabled recogniser on a labelled set: each photo is analysed in a face worker
 * thread (SSD, landmarks, every recogniser's vector), then every pair is scored, in slices that
 * leave the event loop free. A photo must show exactly one face; others are skipped and counted by
 * reason. The photos and vectors are dropped when this returns: only the distributions survive.
 * `onProgress` follows the analysis (photos done of total), `onScoring` the scoring (0–1).
 */
export async function measureSet(
  set: LabelledSet,
  onProgress: (done: number, total: number) => void | Promise<void> = () => {},
  onScoring: (fraction: number) => void | Promise<void> = () => {},
): Promise<CalibrationResult> {
  const engines = enabledEngines().map((e) => ({ engineId: e.manifest.id, engineVersion: e.manifest.version, metric: e.manifest.metric }));
  const samples: CalibrationSample[] = [];
  const skipped: Record<string, number> = {};
  const skip = (reason: string) => (skipped[reason] = (skipped[reason] ?? 0) + 1);
  const total = set.images.length;
  for (let i = 0; i < total; i++) {
    const image = set.images[i]!;
    try {
      const { faces } = await analyseFaces(image.bytes);
      const counted = faces.filter((f) => f.score >= COUNTED_FACE_MIN_SCORE);
      if (counted.length === 0) skip('no face found');
      else if (counted.length > 1) skip('more than one face');
      else {
        const face = counted[0]!;
        samples.push({ identity: image.identity, group: set.groups.get(image.identity), vectors: { [FACEAPI_ENGINE_ID]: face.descriptor, ...face.vectors } });
      }
    } catch (error) {
      if (!(error instanceof UndecodableImageError)) throw error;
      skip('not a readable image');
    }
    await onProgress(i + 1, total);
  }
  const people = new Set(samples.map((s) => s.identity));
  if (people.size < 2)
    throw new Error(`Only ${people.size} person's photos could be used (skipped: ${JSON.stringify(skipped)}); a calibration needs two or more people.`);
  return calibrateInSlices(samples, engines, skipped, onScoring);
}
