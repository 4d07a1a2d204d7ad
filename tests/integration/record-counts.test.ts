/**
 * Faces and coverage as the record counts them (in this process, on the configured database):
 * a minute in which a camera was analysed and saw nobody is stored as coverage and not as faces,
 * the deployment's running total moves with its minutes without touching its updatedAt, and the
 * record reads both back per camera.
 */
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db/client';
import { flushFaceCounts, recordCameraAnalysed, recordFaceProcessed } from '@/lib/live/face-counts';
import { loadRecordRows } from '@/lib/records/data';
import { buildRecord } from '@/lib/records/record';
import { useFreshDatabase } from '../support/in-process-db';

useFreshDatabase();

const MINUTE = 60_000;

describe('coverage and faces per camera and minute', () => {
  it('keeps an analysed minute with no faces as coverage only, and the running total in step without touching updatedAt', async () => {
    const db = getDb();
    const planner = await db.user.create({ data: { email: 'planner@record.test', name: 'Record Planner', role: 'senior_officer', passwordHash: 'x' } });
    const start = Date.UTC(2026, 11, 1, 10, 0);
    const deployment = await db.deployment.create({
      data: {
        name: 'Counts',
        status: 'live',
        plannerId: planner.id,
        startsAt: new Date(start),
        endsAt: new Date(start + 3600_000),
        wentLiveAt: new Date(start),
      },
    });
    const camera = (name: string) =>
      db.camera.create({
        data: { deploymentId: deployment.id, name, lat: 51.5, lng: -0.14, heading: 0, fov: 60, rangeM: 30, sourceKind: 'file', sourceUrl: '/x.mp4' },
      });
    const quiet = await camera('Quiet street');
    const busy = await camera('Busy street');
    const { updatedAt } = await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });

    // The quiet camera was analysed in two minutes and saw nobody; the busy one saw three faces in one.
    recordCameraAnalysed(deployment.id, quiet.id, new Date(start + 5_000));
    recordCameraAnalysed(deployment.id, quiet.id, new Date(start + MINUTE + 5_000));
    for (const s of [1, 2, 3]) recordFaceProcessed(deployment.id, busy.id, new Date(start + s * 1000));
    await flushFaceCounts(new Date(start + 10 * MINUTE));

    const faces = await db.faceCount.findMany({ where: { deploymentId: deployment.id }, select: { cameraId: true, count: true } });
    expect(faces).toEqual([{ cameraId: busy.id, count: 3 }]);
    const coverage = await db.coverageMinute.findMany({
      where: { deploymentId: deployment.id },
      select: { cameraId: true, minute: true },
      orderBy: { minute: 'asc' },
    });
    expect(coverage.filter((c) => c.cameraId === quiet.id).map((c) => c.minute.getTime())).toEqual([start, start + MINUTE]);
    expect(coverage.filter((c) => c.cameraId === busy.id).map((c) => c.minute.getTime())).toEqual([start]);
    const after = await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } });
    expect(after.facesProcessed).toBe(3);
    expect(after.updatedAt).toEqual(updatedAt);

    // A late face for a minute already written adds to it, and to the total.
    recordFaceProcessed(deployment.id, busy.id, new Date(start + 30_000));
    await flushFaceCounts(new Date(start + 10 * MINUTE));
    expect((await db.deployment.findUniqueOrThrow({ where: { id: deployment.id } })).facesProcessed).toBe(4);

    await db.auditEvent.create({
      data: { action: 'deployment.started', subjectType: 'deployment', subjectId: deployment.id, at: new Date(start), prevHash: 'p-record', hash: 'h-record' },
    });
    const record = buildRecord(await loadRecordRows(deployment.id), { forceName: 'Test', targetFacesPerFalseAlert: 6000, now: new Date(start + 4 * MINUTE) });
    expect(record.liveMinutes).toBe(4);
    expect(record.faces.perCamera).toEqual([
      { cameraId: busy.id, name: 'Busy street', faces: 4, analysedMinutes: 1, minutesWithFaces: 1, coverage: 0.25 },
      { cameraId: quiet.id, name: 'Quiet street', faces: 0, analysedMinutes: 2, minutesWithFaces: 0, coverage: 0.5 },
    ]);
    expect(record.faces.total).toBe(4);
  });
});
