import type { SessionUser } from '@/lib/auth/session-user';
import { conflict } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';
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
const holder = processState('calibrationRunning', () => ({ current: false }));

const ALREADY_RUNNING = 'A calibration is already running; wait for it to finish.';

/**
 * Refuses (409) while a calibration runs, here or — left by a stopped server and not yet marked
 * failed — in the database. The upload route asks before reading a body of up to 100 MB that
 * could not be used; startCalibrationJob asks again, as only its check is safe against a race.
 */
export async function assertNoCalibrationRunning(): Promise<void> {
  if (holder.current) throw conflict(ALREADY_RUNNING);
  await assertNoneRunningInDatabase();
}

async function assertNoneRunningInDatabase(): Promise<void> {
  if ((await runningCalibrationIds()).length > 0) throw conflict(ALREADY_RUNNING);
}

/** Calls `record` at most every PROGRESS_EVERY_MS, and always for the end of a stage. */
function throttled(record: (progress: number, message: string) => Promise<void>) {
  let last = 0;
  return async (progress: number, message: string, final: boolean) => {
    if (Date.now() - last < PROGRESS_EVERY_MS && !final) return;
    last = Date.now();
    await record(progress, message);
  };
}

/** Starts measuring `set`; returns the run's id at once. 409 while another run is going. */
export async function startCalibrationJob(
  ctx: { actor: SessionUser; ip: string | null },
  set: LabelledSet,
  meta: { name: string; source: string },
): Promise<string> {
  if (holder.current) throw conflict(ALREADY_RUNNING);
  holder.current = true;
  let id: string;
  try {
    await assertNoneRunningInDatabase();
    id = await createCalibrationRun(ctx, {
      ...meta,
      engineIds: enabledEngines().map((e) => e.manifest.id),
      images: set.images.length,
      people: new Set(set.images.map((i) => i.identity)).size,
    });
  } catch (error) {
    holder.current = false;
    throw error;
  }
  // Analysing the photos is most of the work (0–95 %); scoring every pair the rest.
  const progress = throttled((value, message) => recordCalibrationProgress(id, value, message));
  void measureSet(
    set,
    (done, total) => progress((done / total) * 0.95, `Analysed ${done} of ${total} photos`, done === total),
    (fraction) => progress(0.95 + fraction * 0.05, `Comparing pairs: ${Math.floor(fraction * 100)}%`, fraction === 1),
  )
    .then((result) => completeCalibration(ctx, id, result))
    .catch((error: unknown) => failCalibration(ctx, id, error instanceof Error ? error.message : String(error)))
    .catch((error: unknown) => console.error('[calibration] could not record the end of run', id, error))
    .finally(() => {
      set.images.length = 0;
      holder.current = false;
    });
  return id;
}

/** At start-up: runs left "running" by a stopped server are marked failed, so a new one can start. */
export async function failInterruptedCalibrations(): Promise<number> {
  const ids = await runningCalibrationIds();
  for (const id of ids) await failCalibration({ actor: null, ip: null }, id, 'Interrupted: the server stopped while it ran. Start it again.');
  return ids.length;
}
