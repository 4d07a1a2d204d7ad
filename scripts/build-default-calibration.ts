/**
 * npx tsx scripts/build-default-calibration.ts
 *
 * Rebuilds lib/recognition/builtin/faceapi-128.json, the calibration Sightline ships for its
 * bundled recogniser, from face images in public packages (scripts/lib/public-faces.ts lists
 * them) — so anyone can repeat it. Needs ffmpeg; uses Debian's visp-images-data when installed.
 *
 * About 40 people, of whom only two have many photos, and the genuine pairs are frames of the same
 * video sessions, which makes misses look rarer than on live cameras. It is a demonstration-grade
 * calibration: a force must calibrate on its own, lawfully held faces.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readSetFromFolder } from '../lib/recognition/calibration-folder';
import { measureSet } from '../lib/recognition/calibration-run';
import { FACEAPI_128 } from '../lib/recognition/manifest';
import { closeFaceLanes } from '../lib/recognition/pool';
import { assemblePublicFaces } from './lib/public-faces';

const OUT = path.join(process.cwd(), 'lib', 'recognition', 'builtin', 'faceapi-128.json');

async function main() {
  if (process.env.RECOGNISER_ONNX_MODEL) throw new Error('Unset RECOGNISER_ONNX_MODEL: the built-in calibration measures the bundled recogniser only.');
  const folder = mkdtempSync(path.join(tmpdir(), 'sightline-default-calibration-'));
  try {
    const assembled = await assemblePublicFaces(folder);
    console.log(
      `[default calibration] ${assembled.groupFaces} faces from face-api's group photos, ${assembled.solvayFaces} from the Solvay photograph${assembled.solvayFaces ? '' : ' (visp-images-data not installed)'}`,
    );
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
        `${result.identities} people, ${result.images} photos (skipped: ${JSON.stringify(result.skipped)}) from ${assembled.sources.join(', ')}: ` +
        'frames of two people’s videos give the genuine pairs, single photos of the others the impostor pairs. Too small to show a false match rate below about ' +
        `${(3 / engine.impostor.pairs).toExponential(0)} per comparison, and video frames of one session make misses look rarer than on live cameras. ` +
        'For demonstration: calibrate on your own faces before relying on a forecast (scripts/build-default-calibration.ts rebuilds it).',
      createdAt: new Date().toISOString(),
      result,
    };
    writeFileSync(OUT, JSON.stringify(file) + '\n');
    console.log(
      `[default calibration] ${result.identities} people, ${engine.genuine.pairs} genuine and ${engine.impostor.pairs} impostor pairs, d′ ${engine.dPrime?.toFixed(2)}; written to ${OUT}`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
    await closeFaceLanes();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
