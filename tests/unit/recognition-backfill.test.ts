/**
 * The template backfill against a face analyser that is busy, slow or restarting, and a database
 * that goes away: a photo is listed for replacement only when the photo is at fault, the analyser
 * is retried with backoff and otherwise left for the next start-up, and a run that stops says so
 * (progress, log, audit trail) instead of vanishing. The database and the analyser are stand-ins.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UndecodableImageError, type FaceAnalysis } from '@/lib/face/node-engine';
import { HttpError } from '@/lib/http/errors';
import { processState } from '@/lib/process-state';

const ENGINE = { id: 'onnx-later', version: '1' };

const db = vi.hoisted(() => ({
  images: [] as string[],
  templates: new Set<string>(),
  audit: [] as { action: string; details?: Record<string, unknown> }[],
  down: false,
  auditDown: false,
}));

vi.mock('@/lib/recognition/engines', () => ({ enabledEngines: () => [{ manifest: ENGINE }] }));
vi.mock('@/lib/recognition/face-analysis', () => ({ analyseFaces: vi.fn() }));
vi.mock('@/lib/watchlists/data', () => ({
  referenceImagesLackingTemplate: vi.fn(async (_engineId: string, _version: string, take: number, skip: string[]) => {
    if (db.down) throw new Error('Database connection lost.');
    return db.images
      .filter((id) => !db.templates.has(id) && !skip.includes(id))
      .slice(0, take)
      .map((id) => ({ id, bytes: new Uint8Array([1]), boxX: 10, boxY: 10, boxWidth: 50, boxHeight: 50 }));
  }),
}));
vi.mock('@/lib/watchlists/mutations', () => ({
  saveFaceTemplate: vi.fn(async (id: string) => {
    if (db.down) throw new Error('Database connection lost.');
    db.templates.add(id);
    return true;
  }),
}));
vi.mock('@/lib/audit/mutations', () => ({
  auditedTransaction: vi.fn(
    async (work: (tx: unknown, audit: (event: { action: string; details?: Record<string, unknown> }) => Promise<void>) => Promise<unknown>) => {
      if (db.auditDown) throw new Error('Database connection lost.');
      return work({}, async (event) => void db.audit.push({ action: event.action, details: event.details }));
    },
  ),
}));

const { analyseFaces } = await import('@/lib/recognition/face-analysis');
const { backfillProgress, backfillTemplates, isTransientAnalysisError } = await import('@/lib/recognition/backfill');
const analyse = vi.mocked(analyseFaces);

/** The enrolled face, found again where it was stored. */
const found: FaceAnalysis = {
  width: 100,
  height: 100,
  faces: [{ box: { x: 10, y: 10, width: 50, height: 50 }, score: 0.99, descriptor: new Float32Array(128), vectors: { [ENGINE.id]: new Float32Array(512) } }],
} as unknown as FaceAnalysis;

const busy = () => new HttpError(503, 'analysis_busy', 'The face analyser is busy (64 tasks waiting); try again in a moment.');
const stopped = () => new Error('The face analyser stopped unexpectedly (exit 1).');

let lines: string[];

/** Runs a backfill to its end, letting the fake clock through every backoff; returns the time it waited. */
async function run(): Promise<number> {
  const started = Date.now();
  const done = backfillTemplates((line) => void lines.push(line));
  await vi.runAllTimersAsync();
  await done;
  return Date.now() - started;
}

const progress = () => backfillProgress().find((p) => p.engineId === ENGINE.id)!;

beforeEach(() => {
  vi.useFakeTimers();
  Object.assign(db, { images: ['img-1', 'img-2'], templates: new Set(), audit: [], down: false, auditDown: false });
  processState<{ progress: Map<string, unknown> }>('templateBackfill', () => ({ progress: new Map() })).progress.clear();
  lines = [];
  analyse.mockReset();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('a busy or restarting face analyser', () => {
  it('is a passing condition (503 or a stopped thread), not a fault of the photo', () => {
    expect(isTransientAnalysisError(busy())).toBe(true);
    expect(isTransientAnalysisError(new HttpError(503, 'analysis_timeout', 'The face analyser took longer than 120 s; try again.'))).toBe(true);
    expect(isTransientAnalysisError(stopped())).toBe(true);
    expect(isTransientAnalysisError(new UndecodableImageError())).toBe(false);
    expect(isTransientAnalysisError(new HttpError(422, 'no_face', 'No face.'))).toBe(false);
  });

  it('is retried after 1 s, then 2 s, and the template computed when it answers', async () => {
    analyse.mockRejectedValueOnce(busy()).mockRejectedValueOnce(stopped()).mockResolvedValue(found);
    const waited = await run();
    expect(waited).toBe(3000);
    expect(analyse).toHaveBeenCalledTimes(4); // three for the first photo, one for the second
    expect(progress()).toMatchObject({ state: 'done', computed: 2, failed: [], deferred: 0, message: null });
    expect(db.audit.map((a) => a.action)).toEqual(['templates.backfill_started', 'templates.backfill_completed']);
  });

  it('after every retry, leaves the photo for the next start-up without listing it as one to replace', async () => {
    // img-1: busy through 1 + 3 retries (1 s, 2 s, 4 s); img-2 then analysed.
    analyse.mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy()).mockRejectedValueOnce(busy()).mockResolvedValue(found);
    const waited = await run();
    expect(waited).toBe(7000);
    expect(progress()).toMatchObject({ state: 'done', computed: 1, failed: [], deferred: 1 });
    expect(db.templates.has('img-1')).toBe(false);
    expect(lines.join('\n')).toMatch(/onnx-later: reference image img-1 left for the next start-up: The face analyser is busy/);
    expect(lines.at(-1)).toMatch(/1 template computed, 1 left for the next start-up \(the face analyser was unavailable\)/);
    expect(db.audit.at(-1)).toMatchObject({ action: 'templates.backfill_completed', details: { computed: 1, failed: [], deferred: 1 } });
  });

  it('that stays away for several photos in a row stops the run, recorded as failed, rather than wait on every photo', async () => {
    db.images = ['img-1', 'img-2', 'img-3', 'img-4', 'img-5'];
    analyse.mockRejectedValue(stopped());
    const waited = await run();
    expect(waited).toBe(3 * 7000);
    expect(analyse).toHaveBeenCalledTimes(3 * 4);
    expect(progress()).toMatchObject({
      state: 'failed',
      computed: 0,
      failed: [],
      deferred: 3,
      message: expect.stringMatching(/^The face analyser stayed unavailable/),
    });
    expect(progress().finishedAt).not.toBeNull();
    expect(db.audit.map((a) => a.action)).toEqual(['templates.backfill_started', 'templates.backfill_failed']);
    expect(lines.at(-1)).toMatch(/computing templates stopped \(The face analyser stayed unavailable .*\); it starts again at the next start-up/);
  });
});

describe('a photo at fault', () => {
  it('is listed for replacement at once, without retries', async () => {
    analyse
      .mockRejectedValueOnce(new UndecodableImageError())
      .mockResolvedValueOnce({ ...found, faces: [] })
      .mockResolvedValue(found);
    db.images = ['img-1', 'img-2', 'img-3'];
    expect(await run()).toBe(0);
    expect(analyse).toHaveBeenCalledTimes(3);
    expect(progress()).toMatchObject({
      state: 'done',
      computed: 1,
      deferred: 0,
      failed: [
        { referenceImageId: 'img-1', reason: 'the stored photo cannot be decoded' },
        { referenceImageId: 'img-2', reason: 'the enrolled face was not found again' },
      ],
    });
  });
});

describe('a database that goes away', () => {
  it('marks the run failed with the reason, logs it and records it in the audit trail', async () => {
    analyse.mockImplementation(async () => {
      db.down = true; // gone while the first photo was analysed: its template cannot be saved
      return found;
    });
    await run();
    expect(progress()).toMatchObject({ state: 'failed', message: 'Database connection lost.', computed: 0, failed: [] });
    expect(lines.join('\n')).toMatch(/onnx-later: computing templates stopped \(Database connection lost\.\); it starts again at the next start-up/);
    expect(db.audit.at(-1)).toMatchObject({ action: 'templates.backfill_failed', details: { message: 'Database connection lost.', computed: 0 } });
  });

  it('before the first read still shows the failure, and logs when the audit trail cannot take it either', async () => {
    Object.assign(db, { down: true, auditDown: true });
    await expect(run()).resolves.toBe(0);
    expect(progress()).toMatchObject({ state: 'failed', message: 'Database connection lost.' });
    expect(lines.at(-1)).toMatch(/the stop could not be recorded in the audit trail: Database connection lost/);
  });
});
