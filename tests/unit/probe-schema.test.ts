import { describe, expect, it } from 'vitest';
import { CROP_MAX_BYTES } from '@/lib/face/crop';
import { PROBE_CROP_MAX_BYTES, ProbeAnswerSchema, ProbeSchema, base64DecodedLength, type Probe } from '@/lib/face/probe';

/** A base64 JPEG-looking payload of `bytes` decoded bytes (starts with FF D8 FF like a real JPEG). */
function jpegBase64(bytes: number): string {
  const buffer = Buffer.alloc(bytes, 0x41);
  buffer[0] = 0xff;
  buffer[1] = 0xd8;
  buffer[2] = 0xff;
  return buffer.toString('base64');
}

const valid: Probe = {
  cameraId: 'cam-1',
  trackId: 'a1b2c3d4-7',
  descriptor: Array.from({ length: 128 }, (_, i) => Math.sin(i) / 10),
  box: { x: 12.5, y: 40, width: 96, height: 110 },
  detectionScore: 0.93,
  capturedAt: '2026-11-26T10:15:30.123Z',
  crop: jpegBase64(6000),
};

const issuesOf = (input: unknown) => {
  const result = ProbeSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.path.join('.'));
};

describe('ProbeSchema', () => {
  it('accepts a well-formed probe unchanged', () => {
    expect(ProbeSchema.parse(valid)).toEqual(valid);
  });

  it('needs exactly 128 finite numbers in the descriptor', () => {
    expect(issuesOf({ ...valid, descriptor: valid.descriptor.slice(1) })).toEqual(['descriptor']);
    expect(issuesOf({ ...valid, descriptor: [...valid.descriptor, 0] })).toEqual(['descriptor']);
    // 1e39 is finite as a JavaScript number but Infinity as a float32, which the matcher uses.
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, '0.1', null, 1e39, -11]) {
      const descriptor: unknown[] = [...valid.descriptor];
      descriptor[5] = bad;
      expect(issuesOf({ ...valid, descriptor })).toEqual(['descriptor.5']);
    }
  });

  it('needs a box with a non-negative position and a positive size', () => {
    expect(issuesOf({ ...valid, box: { ...valid.box, x: -1 } })).toEqual(['box.x']);
    expect(issuesOf({ ...valid, box: { ...valid.box, width: 0 } })).toEqual(['box.width']);
    expect(issuesOf({ ...valid, box: { ...valid.box, height: Number.POSITIVE_INFINITY } })).toEqual(['box.height']);
    expect(issuesOf({ ...valid, box: { x: 1, y: 2, width: 3 } })).toEqual(['box.height']);
  });

  it('needs a detection score between 0 and 1', () => {
    expect(issuesOf({ ...valid, detectionScore: 0 })).toEqual([]);
    expect(issuesOf({ ...valid, detectionScore: 1 })).toEqual([]);
    expect(issuesOf({ ...valid, detectionScore: 1.01 })).toEqual(['detectionScore']);
    expect(issuesOf({ ...valid, detectionScore: -0.1 })).toEqual(['detectionScore']);
  });

  it('needs capturedAt as an ISO 8601 date-time', () => {
    expect(issuesOf({ ...valid, capturedAt: '2026-11-26T10:15:30+01:00' })).toEqual([]);
    for (const bad of ['2026-11-26', 'yesterday', '26/11/2026 10:15', 1795670871186]) {
      expect(issuesOf({ ...valid, capturedAt: bad })).toEqual(['capturedAt']);
    }
  });

  it('needs the crop as bare base64 of a JPEG of at most 64 KB', () => {
    expect(issuesOf({ ...valid, crop: jpegBase64(PROBE_CROP_MAX_BYTES) })).toEqual([]);
    expect(issuesOf({ ...valid, crop: jpegBase64(PROBE_CROP_MAX_BYTES + 1) })).toEqual(['crop']);
    expect(issuesOf({ ...valid, crop: jpegBase64(PROBE_CROP_MAX_BYTES * 4) })).toEqual(['crop']);
    expect(issuesOf({ ...valid, crop: `data:image/jpeg;base64,${valid.crop}` })).toEqual(['crop']);
    expect(issuesOf({ ...valid, crop: Buffer.from('\x89PNG\r\n\x1a\n0000').toString('base64') })).toEqual(['crop']);
    expect(issuesOf({ ...valid, crop: valid.crop!.slice(0, -1) })).toEqual(['crop']); // not a multiple of 4
    expect(issuesOf({ ...valid, crop: '' })).toEqual(['crop']);
  });

  it('needs camera and track ids, and refuses unknown fields', () => {
    expect(issuesOf({ ...valid, cameraId: '' })).toEqual(['cameraId']);
    expect(issuesOf({ ...valid, trackId: '   ' })).toEqual(['trackId']);
    expect(issuesOf({ ...valid, cameraId: 7 })).toEqual(['cameraId']);
    expect(ProbeSchema.safeParse({ ...valid, name: 'someone' }).success).toBe(false);
  });

  it('takes a first probe without its crop (sent only when the server asks), but not a ticketed follow-up', () => {
    const { crop: _crop, ...withoutCrop } = valid;
    const ticket = 'AbCdEfGhIjKlMnOpQrSt_-';
    expect(issuesOf(withoutCrop)).toEqual([]);
    expect(issuesOf({ ...valid, ticket })).toEqual([]);
    expect(issuesOf({ ...withoutCrop, ticket })).toEqual(['crop']);
    expect(issuesOf({ ...valid, ticket: 'not a ticket' })).toEqual(['ticket']);
    expect(issuesOf({ ...valid, ticket: true })).toEqual(['ticket']);
    // The old flag is gone: a follow-up is known by its ticket, not by the sender's word.
    expect(ProbeSchema.safeParse({ ...valid, followUp: true }).success).toBe(false);
  });
});

describe('crop size limit', () => {
  it('is the same in the browser encoder and in the schema', () => {
    expect(CROP_MAX_BYTES).toBe(PROBE_CROP_MAX_BYTES);
  });
});

describe('base64DecodedLength', () => {
  it('counts decoded bytes, padding included', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 65536]) expect(base64DecodedLength(Buffer.alloc(n).toString('base64'))).toBe(n);
  });
});

describe('ProbeAnswerSchema', () => {
  it('accepts the three answers the server gives', () => {
    expect(ProbeAnswerSchema.safeParse({ matched: false }).success).toBe(true);
    expect(ProbeAnswerSchema.safeParse({ matched: false, cropNeeded: true }).success).toBe(true);
    expect(ProbeAnswerSchema.safeParse({ matched: true, alertId: 'a1' }).success).toBe(true);
    expect(ProbeAnswerSchema.safeParse({ matched: true }).success).toBe(false);
  });
});
