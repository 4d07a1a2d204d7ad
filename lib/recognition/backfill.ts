import { auditedTransaction } from '@/lib/audit/mutations';
import { UndecodableImageError } from '@/lib/face/node-engine';
import { referenceImagesLackingTemplate } from '@/lib/watchlists/data';
import { saveFaceTemplate } from '@/lib/watchlists/mutations';
import { enabledEngines } from './engines';
import { analyseFaces } from './face-analysis';
import { FACEAPI_ENGINE_ID, type RecogniserManifest } from './manifest';

/**
 * Templates for reference images enrolled before a recogniser was enabled (or by another version
 * of it): each image's stored photo is analysed again in a face worker thread, the face that
 * was enrolled is found again (the detection overlapping its stored box most), and the new
 * recogniser's template is stored. Resumable by construction — the work list is "images without a
 * current template", so a restart carries on where it stopped — and never silent: the start-up
 * log, the audit trail and the Recognition page show its progress, and a deployment cannot go
 * live while its images lack templates (lib/watchlists/snapshots.ts).
 */

export type BackfillProgress = {
  engineId: string;
  engineVersion: string;
  state: 'running' | 'done';
  computed: number;
  /** Images whose face could not be found again: they need replacing. */
  failed: { referenceImageId: string; reason: string }[];
  startedAt: string;
  finishedAt: string | null;
};

const BATCH = 20;

type Holder = { running: Promise<void> | null; progress: Map<string, BackfillProgress> };
const holder = globalThis as typeof globalThis & { __sightlineTemplateBackfill?: Holder };
const state = (holder.__sightlineTemplateBackfill ??= { running: null, progress: new Map() });

/** Progress of the current or last backfill of each recogniser (process memory; the database holds the templates). */
export function backfillProgress(): BackfillProgress[] {
  return [...state.progress.values()];
}

type Box = { x: number; y: number; width: number; height: number };

function overlap(a: Box, b: Box): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  return (w * h) / (a.width * a.height + b.width * b.height - w * h);
}

async function backfillEngine(manifest: RecogniserManifest, log: (line: string) => void): Promise<void> {
  const key = `${manifest.id}@${manifest.version}`;
  const progress: BackfillProgress = { engineId: manifest.id, engineVersion: manifest.version, state: 'running', computed: 0, failed: [], startedAt: new Date().toISOString(), finishedAt: null };
  const skip = new Set<string>();
  let announced = false;
  for (;;) {
    const batch = await referenceImagesLackingTemplate(manifest.id, manifest.version, BATCH, [...skip]);
    if (batch.length === 0) break;
    if (!announced) {
      announced = true;
      state.progress.set(key, progress);
      log(`[recognition] computing ${manifest.id} templates for reference images enrolled before it was enabled…`);
      await auditedTransaction((_tx, audit) => audit({ action: 'templates.backfill_started', subjectType: 'recogniser', subjectId: manifest.id, details: { engineVersion: manifest.version } }));
    }
    for (const image of batch) {
      const stored = { x: image.boxX, y: image.boxY, width: image.boxWidth, height: image.boxHeight };
      try {
        const { faces } = await analyseFaces(new Uint8Array(image.bytes));
        const face = faces.map((f) => ({ f, o: overlap(f.box, stored) })).sort((a, b) => b.o - a.o)[0];
        if (!face || face.o < 0.5) throw new Error('the enrolled face was not found again');
        const vector = manifest.id === FACEAPI_ENGINE_ID ? face.f.descriptor : face.f.vectors[manifest.id];
        if (!vector) throw new Error(`no ${manifest.id} vector was computed`);
        if (await saveFaceTemplate(image.id, { engineId: manifest.id, engineVersion: manifest.version, vector })) progress.computed++;
      } catch (error) {
        skip.add(image.id);
        const reason = error instanceof UndecodableImageError ? 'the stored photo cannot be decoded' : error instanceof Error ? error.message : String(error);
        progress.failed.push({ referenceImageId: image.id, reason });
      }
    }
  }
  if (!announced) return;
  progress.state = 'done';
  progress.finishedAt = new Date().toISOString();
  log(`[recognition] ${manifest.id}: ${progress.computed} templates computed${progress.failed.length ? `, ${progress.failed.length} photos could not be analysed (see the Recognition page)` : ''}`);
  await auditedTransaction((_tx, audit) =>
    audit({
      action: 'templates.backfill_completed',
      subjectType: 'recogniser',
      subjectId: manifest.id,
      details: { engineVersion: manifest.version, computed: progress.computed, failed: progress.failed.map((f) => f.referenceImageId) },
    }),
  );
}

/**
 * Computes every missing template of every enabled recogniser, in the background; a second call
 * while one runs joins it. Called at start-up (server.ts). Resolves when done; failures of single
 * photos are recorded, not thrown.
 */
export function backfillTemplates(log: (line: string) => void = console.log): Promise<void> {
  state.running ??= (async () => {
    try {
      for (const { manifest } of enabledEngines()) await backfillEngine(manifest, log);
    } finally {
      state.running = null;
    }
  })();
  return state.running;
}
