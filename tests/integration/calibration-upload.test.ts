/**
 * The calibration upload route, in this process with its own database (the signed-in admin is a
 * stand-in): a run already going is refused before a byte of the upload is read, and a zip that
 * cannot be used is refused with 422 `unusable_set` saying why.
 */
import { zipSync } from 'fflate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { POST } from '@/app/api/calibrations/route';
import { assertNoCalibrationRunning, failInterruptedCalibrations } from '@/lib/recognition/calibration-jobs';
import { FACEAPI_128 } from '@/lib/recognition/manifest';
import { createCalibrationRun } from '@/lib/recognition/mutations';
import { processState } from '@/lib/process-state';
import { useFreshDatabase } from '../support/in-process-db';

vi.mock('@/lib/auth/guards', () => ({
  requirePermission: vi.fn(async () => ({ id: 'admin', email: 'admin@x.test', name: 'Admin', role: 'admin' })),
}));

useFreshDatabase();

/** The process's "a run is going" flag (lib/recognition/calibration-jobs.ts). */
const flag = processState('calibrationRunning', () => ({ current: false }));

/** An upload whose body records whether anyone read it. */
function watchedUpload(): { request: Request; read: () => boolean } {
  let read = false;
  // No queue (highWaterMark 0): the stream is pulled only when someone reads it.
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        read = true;
        controller.enqueue(new TextEncoder().encode('--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nA set\r\n--x--\r\n'));
        controller.close();
      },
    },
    { highWaterMark: 0 },
  );
  const request = new Request('http://localhost/api/calibrations', {
    method: 'POST',
    headers: { 'content-type': 'multipart/form-data; boundary=x' },
    body,
    duplex: 'half',
  } as RequestInit);
  return { request, read: () => read };
}

function upload(zip: Uint8Array<ArrayBuffer>): Request {
  const form = new FormData();
  form.set('name', 'A set');
  form.set('source', 'Photos of volunteers who consented, taken for this test.');
  form.set('set', new Blob([zip], { type: 'application/zip' }), 'set.zip');
  return new Request('http://localhost/api/calibrations', { method: 'POST', body: form });
}

async function answer(response: Response) {
  return { status: response.status, body: (await response.json()) as { error?: string; message?: string } };
}

afterEach(async () => {
  flag.current = false;
  await failInterruptedCalibrations();
});

describe('starting a calibration while one runs', () => {
  it('is refused with 409 before the upload is read, when a run is going in this process', async () => {
    flag.current = true;
    await expect(assertNoCalibrationRunning()).rejects.toMatchObject({ status: 409 });
    const { request, read } = watchedUpload();
    const refused = await answer(await POST(request, {}));
    expect(refused).toEqual({ status: 409, body: { error: 'conflict', message: 'A calibration is already running; wait for it to finish.' } });
    expect(read()).toBe(false);
  });

  it('is refused the same way when the database holds a run still marked running', async () => {
    await createCalibrationRun(
      { actor: null, ip: null },
      { name: 'Running', source: 'A run marked running in the database.', engineIds: [FACEAPI_128.id], images: 2, people: 2 },
    );
    const { request, read } = watchedUpload();
    expect((await POST(request, {})).status).toBe(409);
    expect(read()).toBe(false);
  });

  it('reads the upload when nothing runs', async () => {
    await expect(assertNoCalibrationRunning()).resolves.toBeUndefined();
    const { request, read } = watchedUpload();
    // The watched body holds a name alone: read, then refused for what it lacks.
    expect(await answer(await POST(request, {}))).toMatchObject({ status: 422 });
    expect(read()).toBe(true);
  });
});

describe('an unusable zip', () => {
  it('is refused with 422 unusable_set and a message a person can act on', async () => {
    const zip = zipSync({ 'ann/1.jpg': new Uint8Array(11 * 1024 * 1024), 'ann/2.jpg': new Uint8Array(10), 'bob/1.jpg': new Uint8Array(10) });
    expect(await answer(await POST(upload(zip), {}))).toEqual({
      status: 422,
      body: { error: 'unusable_set', message: expect.stringMatching(/^ann\/1\.jpg is 11 MB unpacked; each photo in a set may be at most 10 MB/) },
    });
    const notZip = await answer(await POST(upload(new TextEncoder().encode('hello')), {}));
    expect(notZip).toEqual({ status: 422, body: { error: 'unusable_set', message: 'The file is not a readable zip archive.' } });
  });
});
