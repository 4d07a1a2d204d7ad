/**
 * Calibrations and settings in the database (both kinds, in this process): a run from start to
 * finish, which calibration forecasts use, the target, and runs a stopped server left behind.
 */
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { calibrate, type CalibrationSample } from '@/lib/recognition/calibration';
import { failInterruptedCalibrations } from '@/lib/recognition/calibration-jobs';
import { calibrationInUse, getCalibration, listCalibrations } from '@/lib/recognition/data';
import { FACEAPI_128 } from '@/lib/recognition/manifest';
import { activateCalibration, completeCalibration, createCalibrationRun, recordCalibrationProgress } from '@/lib/recognition/mutations';
import { getAccuracyTarget } from '@/lib/settings/data';
import { setAccuracyTarget } from '@/lib/settings/mutations';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

const system = { actor: null, ip: null };

function result() {
  const at = (deg: number) => Float32Array.from({ length: 128 }, (_, i) => Math.cos((deg * Math.PI) / 180 + i) / 8);
  const samples: CalibrationSample[] = ['a', 'a', 'b', 'b', 'c', 'c'].map((identity, i) => ({
    identity,
    group: i < 4 ? 'g1' : 'g2',
    vectors: { [FACEAPI_128.id]: at(i * 10 + (identity === 'a' ? 0 : identity === 'b' ? 90 : 180)) },
  }));
  return calibrate(samples, [{ engineId: FACEAPI_128.id, engineVersion: FACEAPI_128.version, metric: 'euclidean' }]);
}

async function auditActions() {
  return (await getDb().auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { action: true, subjectId: true } })).map((e) => e.action);
}

describe('calibrations in the database', () => {
  it('without any run, forecasts use the built-in calibration', async () => {
    const inUse = await calibrationInUse(FACEAPI_128.id, FACEAPI_128.version);
    expect(inUse?.calibrationId).toBe('builtin-faceapi-128');
    expect(await calibrationInUse(FACEAPI_128.id, '0.0.0')).toBeNull();
    expect(await calibrationInUse('onnx-x', '1')).toBeNull();
  });

  it('records a run from start to finish, with progress, audited, and only counts stored', async () => {
    const id = await createCalibrationRun(system, {
      name: 'Force set',
      source: 'Custody photos held under PACE, 2025 intake.',
      engineIds: [FACEAPI_128.id],
      images: 6,
      people: 3,
    });
    await recordCalibrationProgress(id, 0.5, 'Analysed 3 of 6 photos');
    expect(await getCalibration(id)).toMatchObject({ status: 'running', progress: 0.5, message: 'Analysed 3 of 6 photos', result: null });
    await completeCalibration(system, id, result());
    const done = await getCalibration(id);
    expect(done).toMatchObject({ status: 'done', progress: 1, message: null, builtIn: false });
    expect(done!.result!.engines[0]!.genuine.pairs).toBe(3);
    expect(done!.result!.engines[0]!.groups.map((g) => g.group)).toEqual(['g1', 'g2']);
    expect((await listCalibrations()).map((c) => c.id)).toEqual(['builtin-faceapi-128', id]);
    expect(await auditActions()).toEqual(['calibration.started', 'calibration.completed']);
    // Progress of a finished run cannot be changed.
    await recordCalibrationProgress(id, 0.1, 'late');
    expect((await getCalibration(id))!.progress).toBe(1);
  });

  it('is chosen for a recogniser’s forecasts only if it measured that recogniser at the running version', async () => {
    const [run] = (await listCalibrations()).filter((c) => !c.builtIn);
    await activateCalibration(system, run!.id, { id: FACEAPI_128.id, version: FACEAPI_128.version });
    expect((await calibrationInUse(FACEAPI_128.id, FACEAPI_128.version))?.calibrationId).toBe(run!.id);
    await expect(activateCalibration(system, run!.id, { id: FACEAPI_128.id, version: '9.9.9' })).rejects.toMatchObject({ status: 409 });
    await expect(activateCalibration(system, 'nope', { id: FACEAPI_128.id, version: FACEAPI_128.version })).rejects.toMatchObject({ status: 404 });
    expect((await auditActions()).at(-1)).toBe('calibration.activated');
  });

  it('marks runs a stopped server left "running" as failed, so a new one can start', async () => {
    const id = await createCalibrationRun(system, {
      name: 'Interrupted',
      source: 'A run the server stopped in the middle of.',
      engineIds: [FACEAPI_128.id],
      images: 2,
      people: 2,
    });
    expect(await failInterruptedCalibrations()).toBe(1);
    expect(await getCalibration(id)).toMatchObject({ status: 'failed', message: expect.stringMatching(/Interrupted/) });
    expect(await failInterruptedCalibrations()).toBe(0);
  });
});

describe('the accuracy target', () => {
  it('defaults to 1 in 6,000 faces and is stored, with before and after in the audit trail', async () => {
    expect(await getAccuracyTarget()).toEqual({ facesPerFalseAlert: 6000, perFace: 1 / 6000, isDefault: true });
    const admin = await getDb().user.create({ data: { email: 'admin@x.test', name: 'Admin', role: 'admin', passwordHash: 'x' } });
    const actor = { id: admin.id, email: admin.email, name: admin.name, role: 'admin' as const };
    expect(await setAccuracyTarget({ actor, ip: null }, { facesPerFalseAlert: 10_000 })).toEqual({
      facesPerFalseAlert: 10_000,
      perFace: 1e-4,
      isDefault: false,
    });
    const event = await getDb().auditEvent.findFirst({ where: { action: 'settings.changed' } });
    expect(JSON.parse(event!.details)).toEqual({ from: { facesPerFalseAlert: 6000 }, to: { facesPerFalseAlert: 10_000 } });
    expect(event!.actorId).toBe(admin.id);
  });
});
