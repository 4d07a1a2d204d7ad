/**
 * Part of postinstall: copies what the browser needs for face detection from node_modules
 * into public/vendor/ (git-ignored), so it is served by the app itself — no CDN, works
 * air-gapped:
 *   face-api.esm.js (with its bundled tfjs), the tiny detector / landmark / recognition
 *   weights, and the tfjs wasm binaries.
 */
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = process.cwd();
const vendor = path.join(root, 'public', 'vendor');

function packageDir(name: string): string {
  return path.dirname(require.resolve(`${name}/package.json`));
}

function copy(from: string, toDir: string, filter: (file: string) => boolean = () => true): number {
  mkdirSync(toDir, { recursive: true });
  let copied = 0;
  for (const file of readdirSync(from).filter(filter)) {
    copyFileSync(path.join(from, file), path.join(toDir, file));
    copied += 1;
  }
  return copied;
}

const faceApi = packageDir('@vladmandic/face-api');
const models = copy(path.join(faceApi, 'model'), path.join(vendor, 'face-models'), (f) =>
  /^(tiny_face_detector|face_landmark_68|face_landmark_68_tiny|face_recognition|ssd_mobilenetv1)_model/.test(f),
);
const bundle = copy(path.join(faceApi, 'dist'), path.join(vendor, 'face-api'), (f) => f === 'face-api.esm.js');
const wasm = copy(path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist'), path.join(vendor, 'tfjs-wasm'), (f) => f.endsWith('.wasm'));
console.log(`[assets] public/vendor: ${models} model files, ${bundle} face-api bundle, ${wasm} wasm binaries`);
