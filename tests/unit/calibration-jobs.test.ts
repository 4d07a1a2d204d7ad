/**
 * A calibration job's progress as the Recognition page sees it: analysing the photos fills
 * 0–95 %, comparing the pairs the rest, throttled to a write every half second but never missing
 * the end of a stage. One run at a time. The measuring and the database are stand-ins.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CalibrationResult } from '@/lib/recognition/calibration';
import type { LabelledSet } from '@/lib/recognition/calibration-set';

const recorded = vi.hoisted(() => ({ progress: [] as [number, string][], completed: [] as string[] }));

vi.mock('@/lib/recognition/engines', () => ({ enabledEngines: () => [{ manifest: { id: 'faceapi-128' } }] }));
vi.mock('@/lib/recognition/data', () => ({ runningCalibrationIds: async () => [] }));
vi.mock('@/lib/recognition/mutations', () => ({
  createCalibrationRun: async () => 'run-1',
  recordCalibrationProgress: async (_id: string, progress: number, message: string) => void recorded.progress.push([progress, message]),
  completeCalibration: async (_ctx: unknown, id: string) => void recorded.completed.push(id),
  failCalibration: async () => {},
}));
vi.mock('@/lib/recognition/calibration-run', () => ({
  measureSet: vi.fn(async (_set: LabelledSet, onProgress: (done: number, total: number) => Promise<void>, onScoring: (fraction: number) => Promise<void>) => {
    const later = (ms: number) => vi.advanceTimersByTime(ms);
    await onProgress(1, 4); // the first write goes at once
    await onProgress(2, 4); // too soon: skipped
    later(600);
    await onProgress(3, 4);
    await onProgress(4, 4); // the end of the stage is always written
    later(600);
    await onScoring(0.4);
    await onScoring(0.5); // too soon: skipped
    await onScoring(1);
    return {} as CalibrationResult;
  }),
}));

const { assertNoCalibrationRunning, startCalibrationJob } = await import('@/lib/recognition/calibration-jobs');

const actor = { id: 'admin', email: 'admin@x.test', name: 'Admin', role: 'admin' as const };
const set = (): LabelledSet => ({ images: [{ identity: 'a', name: 'a/1.jpg', bytes: new Uint8Array(1) }], groups: new Map(), warnings: [] });

beforeEach(() => {
  vi.useFakeTimers();
  recorded.progress.length = 0;
  recorded.completed.length = 0;
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a calibration job', () => {
  it('reports analysis as 0–95 % and the comparison of pairs as the rest, then completes', async () => {
    expect(await startCalibrationJob({ actor, ip: null }, set(), { name: 'n', source: 's' })).toBe('run-1');
    // A second run is refused, early and at the start, while this one goes.
    await expect(assertNoCalibrationRunning()).rejects.toMatchObject({ status: 409 });
    await expect(startCalibrationJob({ actor, ip: null }, set(), { name: 'n', source: 's' })).rejects.toMatchObject({ status: 409 });
    await vi.waitFor(() => expect(recorded.completed).toEqual(['run-1']));
    expect(recorded.progress.map(([p, message]) => [Math.round(p * 1e6) / 1e6, message])).toEqual([
      [0.2375, 'Analysed 1 of 4 photos'],
      [0.7125, 'Analysed 3 of 4 photos'],
      [0.95, 'Analysed 4 of 4 photos'],
      [0.97, 'Comparing pairs: 40%'],
      [1, 'Comparing pairs: 100%'],
    ]);
    // Once it has ended, another may start.
    await vi.waitFor(() => expect(assertNoCalibrationRunning()).resolves.toBeUndefined());
  });
});
