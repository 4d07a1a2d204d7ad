import { auditedTransaction } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import { getDb } from '@/lib/db/client';
import { conflict, notFound } from '@/lib/http/errors';
import { writeActiveCalibration } from '@/lib/settings/mutations';
import type { CalibrationResult } from './calibration';
import { engineCalibrationOf, getCalibration } from './data';

/**
 * Writes of calibrations. Callers hold 'recognition:manage' (admins), or are the calibration
 * command run by whoever administers the server (actor null). Starting, finishing, failing and
 * choosing a calibration are audited; progress updates are not (they change nothing a person decides on).
 */

type Context = { actor: SessionUser | null; ip: string | null };

const by = (ctx: Context) => ({ actorId: ctx.actor?.id ?? null, ip: ctx.ip, subjectType: 'calibration' as const });

export async function createCalibrationRun(
  ctx: Context,
  input: { name: string; source: string; engineIds: string[]; images: number; people: number },
): Promise<string> {
  return auditedTransaction(async (tx, audit) => {
    const row = await tx.calibration.create({
      data: {
        name: input.name,
        source: input.source,
        status: 'running',
        engineIds: JSON.stringify(input.engineIds),
        createdById: ctx.actor?.id ?? null,
        message: 'Starting',
      },
      select: { id: true },
    });
    await audit({
      ...by(ctx),
      action: 'calibration.started',
      subjectId: row.id,
      details: { name: input.name, engineIds: input.engineIds, images: input.images, people: input.people },
    });
    return row.id;
  });
}

/** Progress of a running calibration (0–1) and the step it is on. Not audited. */
export async function recordCalibrationProgress(id: string, progress: number, message: string): Promise<void> {
  await getDb().calibration.updateMany({ where: { id, status: 'running' }, data: { progress: Math.max(0, Math.min(1, progress)), message } });
}

export async function completeCalibration(ctx: Context, id: string, result: CalibrationResult): Promise<void> {
  await auditedTransaction(async (tx, audit) => {
    await tx.calibration.update({
      where: { id },
      data: { status: 'done', progress: 1, message: null, result: JSON.stringify(result), finishedAt: new Date() },
    });
    await audit({
      ...by(ctx),
      action: 'calibration.completed',
      subjectId: id,
      details: {
        identities: result.identities,
        images: result.images,
        skipped: result.skipped,
        engines: result.engines.map((e) => ({
          engineId: e.engineId,
          engineVersion: e.engineVersion,
          genuinePairs: e.genuine.pairs,
          impostorPairs: e.impostor.pairs,
          dPrime: e.dPrime,
        })),
      },
    });
  });
}

export async function failCalibration(ctx: Context, id: string, message: string): Promise<void> {
  await auditedTransaction(async (tx, audit) => {
    const { count } = await tx.calibration.updateMany({ where: { id, status: 'running' }, data: { status: 'failed', message, finishedAt: new Date() } });
    if (count > 0) await audit({ ...by(ctx), action: 'calibration.failed', subjectId: id, details: { message } });
  });
}

/**
 * Makes a finished calibration the one a recogniser's forecasts use. Refused (409) when it did not
 * measure that recogniser at the version running: forecasts must come from the model in use.
 */
export async function activateCalibration(ctx: Context, id: string, engine: { id: string; version: string }): Promise<void> {
  await auditedTransaction(async (tx, audit) => {
    const calibration = await getCalibration(id, tx);
    if (!calibration) throw notFound('No such calibration.');
    if (!engineCalibrationOf(calibration, engine.id, engine.version)) {
      throw conflict(`This calibration did not measure ${engine.id} ${engine.version} (the version running), or has not finished.`);
    }
    await writeActiveCalibration(tx, engine.id, id, ctx.actor?.id ?? null);
    await audit({
      ...by(ctx),
      action: 'calibration.activated',
      subjectId: id,
      details: { engineId: engine.id, engineVersion: engine.version, name: calibration.name },
    });
  });
}
