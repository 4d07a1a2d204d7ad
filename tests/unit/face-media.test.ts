import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, isImageComplete, readImageDimensions, sniffImageType } from '@/lib/face/media';
import {
  FRANCK_FRAMES,
  gifImage,
  plainImage,
  readFixture,
  reencode,
  simpleWebp,
  storedSidewaysWithExifOrientation,
  tooWideImage,
  truncated,
  withJpegFrameSize,
} from '@/tests/support/face-fixtures';

const franck = FRANCK_FRAMES[0]!;
// Real encoder output, made once: the franck frame is a progressive JPEG (SOF2) as shipped;
// Skia re-encodes it as a baseline JPEG (SOF0), a PNG and extended-format WebPs (VP8X).
let progressiveJpeg: Uint8Array;
let baselineJpeg: Uint8Array;
let png: Uint8Array;
let lossyWebp: Uint8Array;
let losslessWebp: Uint8Array;

beforeAll(async () => {
  progressiveJpeg = readFixture(franck);
  baselineJpeg = await reencode(franck, 'jpeg');
  png = await reencode(franck, 'png');
  lossyWebp = await reencode(franck, 'webp', 80);
  losslessWebp = await reencode(franck, 'webp', 100);
});

describe('limits', () => {
  it('are 10 MiB and 8,000 px a side', () => {
    expect(MAX_IMAGE_BYTES).toBe(10 * 1024 * 1024);
    expect(MAX_IMAGE_SIDE).toBe(8000);
  });
});

describe('sniffImageType', () => {
  it('recognises JPEG, PNG and WebP by their bytes', () => {
    expect(sniffImageType(progressiveJpeg)).toBe('image/jpeg');
    expect(sniffImageType(baselineJpeg)).toBe('image/jpeg');
    expect(sniffImageType(png)).toBe('image/png');
    expect(sniffImageType(lossyWebp)).toBe('image/webp');
    expect(sniffImageType(simpleWebp(losslessWebp))).toBe('image/webp');
  });

  it('rejects other formats, text and empty or too-short input', () => {
    expect(sniffImageType(gifImage())).toBeNull();
    expect(sniffImageType(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBeNull();
    expect(sniffImageType(new TextEncoder().encode('RIFF....WAVEfmt '))).toBeNull();
    expect(sniffImageType(new Uint8Array())).toBeNull();
    expect(sniffImageType(new Uint8Array([0xff, 0xd8]))).toBeNull();
  });

  it('ignores what the file is called and what the browser says it is', async () => {
    const pngCalledJpeg = new File([png.slice()], 'photo.jpg', { type: 'image/jpeg' });
    const gifCalledPng = new File([gifImage().slice()], 'face.png', { type: 'image/png' });
    const jpegCalledText = new File([progressiveJpeg.slice()], 'notes.txt', { type: 'text/plain' });
    expect(sniffImageType(new Uint8Array(await pngCalledJpeg.arrayBuffer()))).toBe('image/png');
    expect(sniffImageType(new Uint8Array(await gifCalledPng.arrayBuffer()))).toBeNull();
    expect(sniffImageType(new Uint8Array(await jpegCalledText.arrayBuffer()))).toBe('image/jpeg');
  });
});

describe('readImageDimensions', () => {
  it('reads JPEG frame headers, progressive and baseline, past APP segments', async () => {
    expect(readImageDimensions(progressiveJpeg, 'image/jpeg')).toEqual({ width: 720, height: 576 });
    expect(readImageDimensions(baselineJpeg, 'image/jpeg')).toEqual({ width: 720, height: 576 });
    // Stored sideways with an EXIF segment first: the header gives the stored size.
    const sideways = await storedSidewaysWithExifOrientation(franck);
    expect(readImageDimensions(sideways, 'image/jpeg')).toEqual({ width: 576, height: 720 });
  });

  it('reads PNG IHDR', () => {
    expect(readImageDimensions(png, 'image/png')).toEqual({ width: 720, height: 576 });
    expect(readImageDimensions(plainImage(31, 17), 'image/png')).toEqual({ width: 31, height: 17 });
  });

  it('reads WebP VP8X, VP8 and VP8L headers', () => {
    expect(readImageDimensions(lossyWebp, 'image/webp')).toEqual({ width: 720, height: 576 });
    expect(readImageDimensions(losslessWebp, 'image/webp')).toEqual({ width: 720, height: 576 });
    const lossySimple = simpleWebp(lossyWebp);
    const losslessSimple = simpleWebp(losslessWebp);
    expect(String.fromCharCode(...lossySimple.subarray(12, 16))).toBe('VP8 ');
    expect(String.fromCharCode(...losslessSimple.subarray(12, 16))).toBe('VP8L');
    expect(readImageDimensions(lossySimple, 'image/webp')).toEqual({ width: 720, height: 576 });
    expect(readImageDimensions(losslessSimple, 'image/webp')).toEqual({ width: 720, height: 576 });
  });

  it('reports sizes beyond the limit without decoding anything', () => {
    expect(readImageDimensions(tooWideImage(), 'image/png')).toEqual({ width: 9000, height: 10 });
    const claimsHuge = withJpegFrameSize(progressiveJpeg, 9000, 12000);
    expect(readImageDimensions(claimsHuge, 'image/jpeg')).toEqual({ width: 9000, height: 12000 });
  });

  it('returns null for missing or malformed headers', () => {
    expect(readImageDimensions(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), 'image/jpeg')).toBeNull();
    // Scan data before any frame header.
    expect(readImageDimensions(new Uint8Array([0xff, 0xd8, 0xff, 0xda, 0x00, 0x02, 0x00, 0x00]), 'image/jpeg')).toBeNull();
    expect(readImageDimensions(png.subarray(0, 16), 'image/png')).toBeNull();
    expect(readImageDimensions(withJpegFrameSize(progressiveJpeg, 0, 576), 'image/jpeg')).toBeNull();
    const unknownChunk = simpleWebp(lossyWebp).slice();
    unknownChunk.set([0x41, 0x42, 0x43, 0x44], 12); // "ABCD" instead of "VP8 "
    expect(readImageDimensions(unknownChunk, 'image/webp')).toBeNull();
  });
});

describe('isImageComplete', () => {
  it('accepts whole files of every format', () => {
    expect(isImageComplete(progressiveJpeg, 'image/jpeg')).toBe(true);
    expect(isImageComplete(baselineJpeg, 'image/jpeg')).toBe(true);
    expect(isImageComplete(png, 'image/png')).toBe(true);
    expect(isImageComplete(lossyWebp, 'image/webp')).toBe(true);
    expect(isImageComplete(simpleWebp(losslessWebp), 'image/webp')).toBe(true);
  });

  it('accepts bytes after a JPEG end-of-image marker (camera trailers)', () => {
    const trailer = new Uint8Array(progressiveJpeg.length + 64);
    trailer.set(progressiveJpeg);
    expect(isImageComplete(trailer, 'image/jpeg')).toBe(true);
  });

  it('refuses truncated files, which the decoder would otherwise show half-grey or blurred', () => {
    for (const fraction of [0.99, 0.5, 0.05]) {
      expect(isImageComplete(truncated(progressiveJpeg, fraction), 'image/jpeg')).toBe(false);
      expect(isImageComplete(truncated(baselineJpeg, fraction), 'image/jpeg')).toBe(false);
      expect(isImageComplete(truncated(png, fraction), 'image/png')).toBe(false);
      expect(isImageComplete(truncated(lossyWebp, fraction), 'image/webp')).toBe(false);
    }
  });

  it('refuses a JPEG header followed by junk instead of image data', () => {
    const junk = new Uint8Array(2000 + 50_000).fill(0x55);
    junk.set(progressiveJpeg.subarray(0, 2000));
    expect(isImageComplete(junk, 'image/jpeg')).toBe(false);
  });
});
