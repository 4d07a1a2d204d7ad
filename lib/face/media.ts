/**
 * What an uploaded image is and how large it says it is, read from its bytes alone — never from
 * the file name or the Content-Type the browser sent, which the uploader controls. Dimensions come
 * from the headers, without decoding, so an image too large to decode safely is refused before it
 * costs any memory.
 *
 * Pure: no Node or browser APIs, so a browser can run the same checks before it uploads.
 */

/** 10 MiB: a full-resolution phone photo is 2–6 MB; anything bigger is not a reference photo. */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;

/**
 * Longest side we agree to decode. 8000 × 8000 is already 256 MB of RGBA; the limit bounds the
 * memory a single upload can make the server spend.
 */
export const MAX_IMAGE_SIDE = 8000;

export const IMAGE_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/webp'] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

export type ImageDimensions = { width: number; height: number };

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The image type the bytes themselves declare (magic numbers), or null for anything else. */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | null {
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, PNG_SIGNATURE)) return 'image/png';
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return 'image/webp';
  return null;
}

/**
 * Width and height as stored in the image's headers, or null when the headers are missing or
 * malformed. For JPEG these are the stored dimensions, before any EXIF rotation a decoder applies;
 * the side limit is the same either way round.
 */
export function readImageDimensions(bytes: Uint8Array, mediaType: ImageMediaType): ImageDimensions | null {
  const dimensions = mediaType === 'image/jpeg' ? readJpegDimensions(bytes) : mediaType === 'image/png' ? readPngDimensions(bytes) : readWebpDimensions(bytes);
  return dimensions && dimensions.width > 0 && dimensions.height > 0 ? dimensions : null;
}

/**
 * Whether the file is structurally whole: a JPEG reaches its end-of-image marker, a PNG its IEND
 * chunk, a WebP holds as many bytes as its RIFF header promises. Needed because the decoder we use
 * (Skia, via @napi-rs/canvas) happily "decodes" a truncated file into a partly grey or blurred
 * picture instead of failing, and a half-received photo must not become a watchlist reference.
 */
export function isImageComplete(bytes: Uint8Array, mediaType: ImageMediaType): boolean {
  if (mediaType === 'image/jpeg') return isJpegComplete(bytes);
  if (mediaType === 'image/png') return isPngComplete(bytes);
  return isWebpComplete(bytes);
}

// --- JPEG -------------------------------------------------------------------------------------

const JPEG_SOS = 0xda;
const JPEG_EOI = 0xd9;

/** Markers that carry no length field: TEM, RST0–7, SOI, EOI. */
function isStandaloneJpegMarker(marker: number): boolean {
  return marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9);
}

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range. */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function readJpegDimensions(bytes: Uint8Array): ImageDimensions | null {
  let at = 2; // after SOI
  while (at + 4 <= bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1; // fill byte before a marker
      continue;
    }
    at += 2;
    if (marker === JPEG_SOS || marker === JPEG_EOI) return null; // image data before any frame header
    if (isStandaloneJpegMarker(marker)) continue;
    const length = u16be(bytes, at);
    if (length < 2) return null;
    if (isStartOfFrame(marker)) {
      // length(2) precision(1) height(2) width(2)
      if (at + 7 > bytes.length) return null;
      return { width: u16be(bytes, at + 5), height: u16be(bytes, at + 3) };
    }
    at += length;
  }
  return null;
}

function isJpegComplete(bytes: Uint8Array): boolean {
  let at = 2;
  while (at + 2 <= bytes.length) {
    if (bytes[at] !== 0xff) return false;
    const marker = bytes[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    at += 2;
    if (marker === JPEG_EOI) return true; // anything after EOI (camera trailers) is ignored
    if (isStandaloneJpegMarker(marker)) continue;
    if (at + 2 > bytes.length) return false;
    const length = u16be(bytes, at);
    if (length < 2) return false;
    at += length;
    if (marker === JPEG_SOS) at = skipEntropyCodedData(bytes, at);
  }
  return false;
}

/**
 * Scan data ends at the first 0xFF that is not byte stuffing (FF 00), a restart marker (FF D0–D7)
 * or fill (FF FF). Returns the offset of that marker, or the end of the bytes if there is none.
 */
function skipEntropyCodedData(bytes: Uint8Array, from: number): number {
  let at = from;
  while (at < bytes.length) {
    if (bytes[at] !== 0xff) {
      at += 1;
      continue;
    }
    const next = bytes[at + 1];
    if (next === undefined) return bytes.length;
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
    else if (next === 0xff) at += 1;
    else return at;
  }
  return at;
}

// --- PNG --------------------------------------------------------------------------------------

function readPngDimensions(bytes: Uint8Array): ImageDimensions | null {
  // The signature is followed by the IHDR chunk: length(4) "IHDR" width(4) height(4) …
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return null;
  return { width: u32be(bytes, 16), height: u32be(bytes, 20) };
}

function isPngComplete(bytes: Uint8Array): boolean {
  let at = PNG_SIGNATURE.length;
  while (at + 12 <= bytes.length) {
    const length = u32be(bytes, at);
    const type = ascii(bytes, at + 4, 4);
    const next = at + 12 + length; // length(4) type(4) data(length) crc(4)
    if (type === 'IEND') return next <= bytes.length;
    at = next;
  }
  return false;
}

// --- WebP -------------------------------------------------------------------------------------

function readWebpDimensions(bytes: Uint8Array): ImageDimensions | null {
  if (bytes.length < 30) return null;
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ') {
    // Lossy: frame tag(3) start code 9D 01 2A, then 14-bit width and height (2 bits of scaling).
    if (bytes[23] !== 0x9d || bytes[24] !== 0x01 || bytes[25] !== 0x2a) return null;
    return { width: u16le(bytes, 26) & 0x3fff, height: u16le(bytes, 28) & 0x3fff };
  }
  if (chunk === 'VP8L') {
    // Lossless: signature 0x2F, then width−1 and height−1 as two 14-bit fields.
    if (bytes[20] !== 0x2f) return null;
    const bits = u32le(bytes, 21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') {
    // Extended: flags(1) reserved(3), then canvas width−1 and height−1 as 24-bit fields.
    return { width: u24le(bytes, 24) + 1, height: u24le(bytes, 27) + 1 };
  }
  return null;
}

function isWebpComplete(bytes: Uint8Array): boolean {
  if (bytes.length < 12) return false;
  const riffSize = u32le(bytes, 4); // bytes after the 8-byte RIFF header
  return riffSize >= 4 && 8 + riffSize <= bytes.length;
}

// --- bytes ------------------------------------------------------------------------------------

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((value, i) => bytes[i] === value);
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  if (at + length > bytes.length) return '';
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function u16be(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function u32be(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) >>> 0) + (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0));
}

function u16le(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}

function u24le(bytes: Uint8Array, at: number): number {
  return u16le(bytes, at) | ((bytes[at + 2] ?? 0) << 16);
}

function u32le(bytes: Uint8Array, at: number): number {
  return (u24le(bytes, at) | ((bytes[at + 3] ?? 0) << 24)) >>> 0;
}
