import type { FaceBox } from '@/lib/face/worker-protocol';

/**
 * The face crop a probe carries: what the server's verifying recogniser embeds when the face is
 * a candidate, and what an operator sees beside the reference image if it matches. Small on
 * purpose (≤ 224 px, about 10 KB) — the face fills two thirds of it, so it is about 150 px across
 * where the camera gives that much (ArcFace-style verifiers want at least 112, face-api's 150) —
 * and nothing more of the scene than the face.
 *
 * Browser-only (OffscreenCanvas + convertToBlob; importing the constants is safe anywhere), and meant for the detector worker so JPEG
 * encoding never runs on the page's main thread. Nothing is cached: the bytes exist only in the
 * returned string, which goes straight into one probe.
 */

/**
 * Largest crop a probe may carry, in decoded bytes: PROBE_CROP_MAX_BYTES, which ProbeSchema
 * (lib/face/probe.ts) enforces on the server. Copied rather than imported so the detector worker
 * does not load zod with it; tests/unit/probe-schema.test.ts checks that the two agree.
 */
export const CROP_MAX_BYTES = 64 * 1024;

/** Padding around the detector's box, as a fraction of its size on each side: keeps chin, hair and ears. */
export const CROP_PADDING = 0.25;
/** Longest side of the encoded crop, in pixels. */
export const CROP_MAX_SIDE = 224;
/** Used only if a crop does not fit at the lowest quality (never seen: 224 px JPEGs are ≤ 25 KB). */
const CROP_FALLBACK_SIDE = 160;
const QUALITIES = [0.85, 0.7, 0.55, 0.4, 0.25];

/** The box grown by CROP_PADDING on every side, then clipped to the frame; whole pixels. */
export function padBox(box: FaceBox, frameWidth: number, frameHeight: number, padding = CROP_PADDING): FaceBox {
  const x0 = Math.max(0, Math.floor(box.x - box.width * padding));
  const y0 = Math.max(0, Math.floor(box.y - box.height * padding));
  const x1 = Math.min(frameWidth, Math.ceil(box.x + box.width * (1 + padding)));
  const y1 = Math.min(frameHeight, Math.ceil(box.y + box.height * (1 + padding)));
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/**
 * Encodes the face at `box` (in the source's pixels) as a JPEG, base64 without a data: prefix,
 * at most CROP_MAX_BYTES decoded. Lowers the quality, then the size, until it fits.
 */
export async function encodeFaceCrop(source: OffscreenCanvas | ImageBitmap, box: FaceBox): Promise<string> {
  const region = padBox(box, source.width, source.height);
  for (const side of [CROP_MAX_SIDE, CROP_FALLBACK_SIDE]) {
    const scale = Math.min(1, side / Math.max(region.width, region.height));
    const canvas = new OffscreenCanvas(Math.max(1, Math.round(region.width * scale)), Math.max(1, Math.round(region.height * scale)));
    const context = canvas.getContext('2d');
    if (!context) throw new Error('Could not draw the face crop');
    context.imageSmoothingQuality = 'high';
    context.drawImage(source, region.x, region.y, region.width, region.height, 0, 0, canvas.width, canvas.height);
    for (const quality of QUALITIES) {
      const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
      if (blob.size <= CROP_MAX_BYTES) return bytesToBase64(new Uint8Array(await blob.arrayBuffer()));
    }
  }
  throw new Error(`The face crop does not fit in ${CROP_MAX_BYTES / 1024} KB`);
}

/** Base64 of bytes, in chunks: String.fromCharCode(...bytes) overflows the stack on large inputs. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}
