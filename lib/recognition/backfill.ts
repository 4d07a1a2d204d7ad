import { auditedTransaction } from '@/lib/audit/mutations';
import { UndecodableImageError, type FaceAnalysis } from '@/lib/face/node-engine';
import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';
import { referenceImagesLackingTemplate } from '@/lib/watchlists/data';
import { saveFaceTemplate } from '@/lib/watchlists/mutations';
import { enabledEngines } from './engines';
import { analyseFaces } from './face-analysis';
import { FACEAPI_ENGINE_ID, type RecogniserManifest } from './manifest';
import { plural } from '@/lib/format/plural';

/**
 * Templates for reference images enrolled before a recogniser was enabled (or by another version
 * of it): each image's stored photo is analysed again in a face worker thread, the face that
 * was enrolled is found again (the detection overlapping its stored box most), and the new
 * recogniser's template is stored. Resumable by construction — the work list is "images without a
 * current template", so a restart carries on where it stopped — and never silent: the start-up
 * log, the audit trail and the Recognition page show its progress, and a deployment cannot go
 * live while its images lack templates (lib/watchlists/snapshots.ts). A busy or restarting face
 * analyser is waited for (a few retries, then the photo is left for the next start-up), never taken
 * as a fault of the photo.
 */

export type BackfillProgress = {
  engineId: string;
  engineVersion: string;
  /** 'failed': the run stopped (the database or the face analyser went away); it starts again at the next start-up. */
  state: 'running' | 'done' | 'failed';
  computed: number;
  /** Images whose face could not be found again: they need replacing. */
  failed: { referenceImageId: string; reason: string }[];
  /** Images the face analyser was too busy or unavailable for, even after retries: left for the next start-up. */
  deferred: number;
  /** Why the run stopped, when it failed. */
  message: string | null;
  startedAt: string;
  finishedAt: string | null;
};

const BATCH = 20;
/** Pauses before each new try of a photo the analyser could not take; after the last, it waits for the next start-up. */
const RETRY_DELAYS_MS = [1000, 2000, 4000];
/** Photos left for later in a row that show the analyser is not coming back soon: the run stops rather than wait on each. */
const MAX_DEFERRED_IN_A_ROW = 3;

type Log = (line: string) => void;
type Holder = { running: Promise<void> | null; progress: Map<string, BackfillProgress> };
const state = processState<Holder>('templateBackfill', () => ({ running: null, progress: new Map() }));

/** Progress of the current or last backfill of each recogniser (process memory; the database holds the templates). */
export function backfillProgress(): BackfillProgress[] {
  return [...state.progress.values()];
}

type Box = { x: number; y: number; width: number; height: number };
type StoredImage = Awaited<ReturnType<typeof referenceImagesLackingTemplate>>[number];

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

/**
 * A busy, slow, stopped or closing analyser (503 from the pool, or its thread dying): nothing is
 * wrong with the photo, so it is tried again rather than listed as one to replace.
 */
export function isTransientAnalysisError(error: unknown): boolean {
  if (error instanceof HttpError) return error.status === 503;
  return error instanceof Error && error.message.startsWith('The face analyser stopped');
}

/** The analyser stayed unavailable through every retry of a photo. */
class AnalyserUnavailable extends Error {}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function analyseWithRetries(bytes: Uint8Array): Promise<FaceAnalysis> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await analyseFaces(bytes);
    } catch (error) {
      if (!isTransientAnalysisError(error)) throw error;
      if (attempt === RETRY_DELAYS_MS.length) throw new AnalyserUnavailable((error as Error).message);
      await sleep(RETRY_DELAYS_MS[attempt]!);
    }
  }
}

/** The recogniser's vector of the face enrolled in `image`, found again; throws why not. */
async function templateOf(image: StoredImage, manifest: RecogniserManifest): Promise<Float32Array> {
  const stored = { x: image.boxX, y: image.boxY, width: image.boxWidth, height: image.boxHeight };
  const { faces } = await analyseWithRetries(new Uint8Array(image.bytes));
  const face = faces.map((f) => ({ f, o: overlap(f.box, stored) })).sort((a, b) => b.o - a.o)[0];
  if (!face || face.o < 0.5) throw new Error('the enrolled face was not found again');
  const vector = manifest.id === FACEAPI_ENGINE_ID ? face.f.descriptor : face.f.vectors[manifest.id];
  if (!vector) throw new Error(`no ${manifest.id} vector was computed`);
  return vector;
}

const keyOf = (manifest: RecogniserManifest) => `${manifest.id}@${manifest.version}`;

/**
 * Computes the recogniser's missing templates into `progress`; false when none were missing.
 * Photos that cannot be analysed are listed in `progress.failed`; anything else that goes wrong
 * (the database, an analyser that does not come back) is thrown.
 */
async function computeMissingTemplates(manifest: RecogniserManifest, progress: BackfillProgress, log: Log): Promise<boolean> {
  const skip = new Set<string>();
  let announced = false;
  let deferredInARow = 0;
  for (;;) {
    const batch = await referenceImagesLackingTemplate(manifest.id, manifest.version, BATCH, [...skip]);
    if (batch.length === 0) return announced;
    if (!announced) {
      announced = true;
      state.progress.set(keyOf(manifest), progress);
      log(`[recognition] computing ${manifest.id} templates for reference images enrolled before it was enabled…`);
      await auditedTransaction((_tx, audit) =>
        audit({ action: 'templates.backfill_started', subjectType: 'recogniser', subjectId: manifest.id, details: { engineVersion: manifest.version } }),
      );
    }
    for (const image of batch) {
      let vector: Float32Array;
      try {
        vector = await templateOf(image, manifest);
      } catch (error) {
        skip.add(image.id);
        if (error instanceof AnalyserUnavailable) {
          progress.deferred++;
          log(`[recognition] ${manifest.id}: reference image ${image.id} left for the next start-up: ${error.message}`);
          if (++deferredInARow >= MAX_DEFERRED_IN_A_ROW)
            throw new Error(`The face analyser stayed unavailable (${error.message}); the remaining photos are left for the next start-up.`);
          continue;
        }
        deferredInARow = 0;
        const reason = error instanceof UndecodableImageError ? 'the stored photo cannot be decoded' : error instanceof Error ? error.message : String(error);
        progress.failed.push({ referenceImageId: image.id, reason });
        continue;
      }
      deferredInARow = 0;
      if (await saveFaceTemplate(image.id, { engineId: manifest.id, engineVersion: manifest.version, vector })) progress.computed++;
    }
  }
}

function summary(manifest: RecogniserManifest, progress: BackfillProgress) {
  return { engineVersion: manifest.version, computed: progress.computed, failed: progress.failed.map((f) => f.referenceImageId), deferred: progress.deferred };
}

async function backfillEngine(manifest: RecogniserManifest, log: Log): Promise<void> {
  const progress: BackfillProgress = {
    engineId: manifest.id,
    engineVersion: manifest.version,
    state: 'running',
    computed: 0,
    failed: [],
    deferred: 0,
    message: null,
    startedAt: new Date().toISOString(),
    finishedAt: null,
  };
  try {
    if (!(await computeMissingTemplates(manifest, progress, log))) return;
    progress.state = 'done';
    progress.finishedAt = new Date().toISOString();
    log(
      `[recognition] ${manifest.id}: ${plural(progress.computed, 'template')} computed` +
        `${progress.failed.length ? `, ${plural(progress.failed.length, 'photo')} could not be analysed (see the Recognition page)` : ''}` +
        `${progress.deferred ? `, ${progress.deferred} left for the next start-up (the face analyser was unavailable)` : ''}`,
    );
    await auditedTransaction((_tx, audit) =>
      audit({ action: 'templates.backfill_completed', subjectType: 'recogniser', subjectId: manifest.id, details: summary(manifest, progress) }),
    );
  } catch (error) {
    await recordFailure(manifest, progress, error, log);
  }
}

/** A run that stopped: shown on the Recognition page, logged and (if the database answers) audited. */
async function recordFailure(manifest: RecogniserManifest, progress: BackfillProgress, error: unknown, log: Log): Promise<void> {
  const message = error instanceof Error ? error.message : String(error);
  progress.state = 'failed';
  progress.message = message;
  progress.finishedAt = new Date().toISOString();
  state.progress.set(keyOf(manifest), progress);
  log(`[recognition] ${manifest.id}: computing templates stopped (${message}); it starts again at the next start-up.`);
  try {
    await auditedTransaction((_tx, audit) =>
      audit({ action: 'templates.backfill_failed', subjectType: 'recogniser', subjectId: manifest.id, details: { ...summary(manifest, progress), message } }),
    );
  } catch (auditError) {
    log(
      `[recognition] ${manifest.id}: the stop could not be recorded in the audit trail: ${auditError instanceof Error ? auditError.message : String(auditError)}`,
    );
  }
}

/**
 * Computes every missing template of every enabled recogniser, in the background; a second call
 * while one runs joins it. Called at start-up (server.ts). Resolves when done: failures of single
 * photos are listed, and a run that stops is recorded (progress, log, audit trail), not thrown.
 */
export function backfillTemplates(log: Log = console.log): Promise<void> {
  state.running ??= (async () => {
    try {
      for (const { manifest } of enabledEngines()) await backfillEngine(manifest, log);
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}
