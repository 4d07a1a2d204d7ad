import type { SessionUser } from '@/lib/auth/session-user';
import { conflict } from '@/lib/http/errors';
import type { LabelledSet } from './calibration-set';
import { measureSet } from './calibration-run';
import { runningCalibrationIds } from './data';
import { enabledEngines } from './engines';
import { completeCalibration, createCalibrationRun, failCalibration, recordCalibrationProgress } from './mutations';

/**
 * Calibration runs started from the Recognition page: one at a time, in the background, with
 * their progress stored for the page to show. The uploaded photos live only in this run's
 * memory and go when it ends.
 */

const PROGRESS_EVERY_MS = 500;

/** Set from the moment a run is asked for (before any await), so two requests cannot both start one. */
const holder = globalThis as typeof globalThis & { __sightlineCalibrationRunning?: boolean };

/** Starts measuring `set`; returns the run's id at once. 409 while another run is going. */
export async function startCalibrationJob(ctx: { actor: SessionUser; ip: string | null }, set: LabelledSet, meta: { name: string; source: string }): Promise<string> {
  if (holder.__sightlineCalibrationRunning) throw conflict('A calibration is already running; wait for it to finish.');
  holder.__sightlineCalibrationRunning = true;
  let id: string;
  try {
    if ((await runningCalibrationIds()).length > 0) throw conflict('A calibration is already running; wait for it to finish.');
    id = await createCalibrationRun(ctx, {
      ...meta,
      engineIds: enabledEngines().map((e) => e.manifest.id),
      images: set.images.length,
      people: new Set(set.images.map((i) => i.identity)).size,
    });
  } catch (error) {
    holder.__sightlineCalibrationRunning = false;
    throw error;
  }
  let last = 0;
  void measureSet(set, async (done, total) => {
    if (Date.now() - last < PROGRESS_EVERY_MS && done < total) return;
    last = Date.now();
    await recordCalibrationProgress(id, (done / total) * 0.95, `Analysed ${done} of ${total} photos`);
  })
    .then((result) => completeCalibration(ctx, id, result))
    .catch((error: unknown) => failCalibration(ctx, id, error instanceof Error ? error.message : String(error)))
    .catch((error: unknown) => console.error('[calibration] could not record the end of run', id, error))
    .finally(() => {
      set.images.length = 0;
      holder.__sightlineCalibrationRunning = false;
    });
  return id;
}

/** At start-up: runs left "running" by a stopped server are marked failed, so a new one can start. */
export async function failInterruptedCalibrations(): Promise<number> {
  const ids = await runningCalibrationIds();
  for (const id of ids) await failCalibration({ actor: null, ip: null }, id, 'Interrupted: the server stopped while it ran. Start it again.');
  return ids.length;
}
