import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { inflateRaw } from 'node:zlib';
import { MAX_IMAGE_BYTES } from '@/lib/face/media';
import { plural } from '@/lib/format/plural';

/**
 * A labelled set of faces for calibration: one folder per person, each holding two or more
 * photos of that person (genuine pairs come from within a folder, impostor pairs from across
 * folders), and optionally a CSV naming a group for each person (`person,group`, e.g. an
 * ethnicity or age band the force must monitor under the Public Sector Equality Duty).
 *
 * Read from a zip uploaded by an admin, unpacked in memory only (the photos are never written
 * anywhere), or from a folder on disk by `npm run calibrate` (calibration-folder.ts).
 */

export type LabelledImage = { identity: string; name: string; bytes: Uint8Array };
export type LabelledSet = {
  images: LabelledImage[];
  /** Person → group, from the CSV (empty when none was given). */
  groups: Map<string, string>;
  /** Problems that do not stop a run but that the person running it should know. */
  warnings: string[];
};

export const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;
export const GROUPS_FILE = 'groups.csv';
/** More than this is not a calibration a 2-core server should run in one go. */
export const MAX_SET_IMAGES = 20_000;

export class CalibrationSetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CalibrationSetError';
  }
}

/** Parses `person,group` lines (a header line `person,group` is skipped; quotes allowed). */
export function parseGroupsCsv(text: string): Map<string, string> {
  const groups = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const cells = splitCsvLine(line);
    if (cells.length < 2 || !cells[0] || !cells[1]) {
      throw new CalibrationSetError(`${GROUPS_FILE} line ${i + 1}: expected "person,group", got "${line.slice(0, 80)}".`);
    }
    if (i === 0 && cells[0].toLowerCase() === 'person' && cells[1].toLowerCase() === 'group') return;
    groups.set(cells[0], cells[1]);
  });
  return groups;
}

function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell.trim());
      cell = '';
    } else cell += c;
  }
  cells.push(cell.trim());
  return cells;
}

// ─── reading a zip ──────────────────────────────────────────────────────────────────────
//
// An uploaded zip is read here rather than by a library's one-call unzip because its headers are
// the uploader's word: fflate's unzipSync trusts the declared size of each entry, allocates it,
// and when the data inflates to more it keeps inflating (to nowhere) — a 200 KB entry declaring
// 1 KB spun the event loop for 0.7 s and came back silently truncated, so a 100 MB upload could
// block the server for minutes. Here every entry is counted and its declared size checked before
// anything is unpacked, and node's zlib stops inflating as soon as an entry passes its declared size.
// Inflating runs on libuv's thread pool, one entry at a time, never on the event loop: a set may
// unpack to 400 MB, which inflated in one synchronous go held every request and socket for
// seconds.

const inflateRawAsync = promisify(inflateRaw);
const INFLATE_CHUNK_BYTES = 1024 * 1024;

/** Entries of any kind (photos, folders, `__MACOSX` clutter…) a zip may list: room for a full set and its litter. */
export const MAX_ZIP_ENTRIES = MAX_SET_IMAGES + 1000;
/** Largest photo (or groups.csv) unpacked: the limit on a reference photo, for the same reasons. */
export const MAX_ZIP_ENTRY_BYTES = MAX_IMAGE_BYTES;
/**
 * Most a set may unpack to. Photos are already compressed, so a genuine set unpacks to about the
 * size of its zip (at most MAX_CALIBRATION_UPLOAD_BYTES, 100 MB); this leaves room for PNGs that
 * deflate a little, while bounding what one upload can hold in memory on a 2-core server with a
 * few GB of RAM — the zip and its copies in the request (~300 MB) plus this, beside the models.
 */
export const MAX_SET_UNPACKED_BYTES = 400 * 1024 * 1024;

const STORED = 0;
const DEFLATE = 8;
const METHOD_NAMES: Record<number, string> = { 9: 'Deflate64', 12: 'BZIP2', 14: 'LZMA', 93: 'Zstandard', 95: 'XZ', 98: 'PPMd', 99: 'AES encryption' };
/** Sizes and offsets saturated at this mean the real figure is in a ZIP64 record. */
const ZIP64_MARK = 0xffffffff;

type ZipEntry = { name: string; method: number; encrypted: boolean; compressedSize: number; size: number; headerOffset: number };

/** Rounded up to a tenth, so a file just over a limit never reads as at it. */
const megabytes = (bytes: number) => `${Math.ceil((bytes / (1024 * 1024)) * 10) / 10} MB`;
const unreadable = (why?: string) => new CalibrationSetError(`The file is not a readable zip archive${why ? `: ${why}` : ''}.`);
const sizeMismatch = (entry: ZipEntry) => unreadable(`${entry.name} does not unpack to the size the zip declares for it`);

/** ZIP64 is for archives or files over 4 GB, far beyond an upload: a zip that needs it is not a calibration set. */
const zip64 = () =>
  new CalibrationSetError('The zip uses the ZIP64 format (for archives over 4 GB), which is not read here; zip the folder again with a standard tool.');
const tooManyEntries = () =>
  new CalibrationSetError(
    `The zip lists more than ${MAX_ZIP_ENTRIES.toLocaleString('en-GB')} files and folders; a calibration set holds at most ${MAX_SET_IMAGES.toLocaleString('en-GB')} photos. Split it into smaller sets.`,
  );

/** Names flagged as UTF-8 are; others are UTF-8 when they decode as such (most tools), else Latin-1. */
function decodeName(bytes: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder().decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

/** The entries the zip's central directory lists, refused when there are more than MAX_ZIP_ENTRIES. */
function zipEntries(zip: Uint8Array): ZipEntry[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  // The end record is the last thing in the file, followed by a comment of up to 65,535 bytes.
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) {
    if (zip.length - end > 22 + 0xffff) throw unreadable();
    end--;
  }
  if (end < 0) throw unreadable();
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (count > MAX_ZIP_ENTRIES) throw tooManyEntries();
  if (at === ZIP64_MARK) throw zip64();
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw unreadable();
    const flags = view.getUint16(at + 8, true);
    const nameLength = view.getUint16(at + 28, true);
    const entry: ZipEntry = {
      name: decodeName(zip.subarray(at + 46, at + 46 + nameLength), (flags & 0x800) !== 0),
      method: view.getUint16(at + 10, true),
      encrypted: (flags & 1) !== 0,
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    };
    if (entry.compressedSize === ZIP64_MARK || entry.size === ZIP64_MARK || entry.headerOffset === ZIP64_MARK) throw zip64();
    entries.push(entry);
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

/** Refuses, before anything is unpacked, an entry that cannot be read or is too large. */
function checkEntry(entry: ZipEntry): void {
  if (entry.encrypted) throw new CalibrationSetError(`${entry.name} is encrypted: zip the set again without a password.`);
  if (entry.method !== STORED && entry.method !== DEFLATE) {
    const method = METHOD_NAMES[entry.method] ? `${METHOD_NAMES[entry.method]} (method ${entry.method})` : `method ${entry.method}`;
    throw new CalibrationSetError(
      `${entry.name} is compressed with ${method}; only stored or Deflate entries can be read. Zip the set again with a standard tool (e.g. "Compress" in the file manager, or zip -r).`,
    );
  }
  if (entry.size > MAX_ZIP_ENTRY_BYTES) {
    throw new CalibrationSetError(
      `${entry.name} is ${megabytes(entry.size)} unpacked; each photo in a set may be at most ${megabytes(MAX_ZIP_ENTRY_BYTES)}, as for reference photos. Make it smaller or leave it out.`,
    );
  }
}

/**
 * An entry's bytes, which must come to exactly its declared size: inflating stops as soon as they
 * pass it, so an entry whose header lies costs no more than one that tells the truth.
 */
async function unpack(zip: Uint8Array, entry: ZipEntry): Promise<Uint8Array> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  if (view.getUint32(entry.headerOffset, true) !== 0x04034b50) throw unreadable();
  const start = entry.headerOffset + 30 + view.getUint16(entry.headerOffset + 26, true) + view.getUint16(entry.headerOffset + 28, true);
  const data = zip.subarray(start, start + entry.compressedSize);
  if (data.length !== entry.compressedSize) throw unreadable(`${entry.name} is cut short`);
  let bytes: Uint8Array;
  if (entry.method === STORED) bytes = data.slice();
  else {
    try {
      // Output in chunks of up to 1 MiB rather than zlib's 16 KiB: each chunk is a turn of the
      // event loop, and a 10 MB photo in 640 of them cost more than inflating it.
      const out = await inflateRawAsync(data, { maxOutputLength: Math.max(1, entry.size), chunkSize: INFLATE_CHUNK_BYTES });
      // Each photo must own its memory: a view of a shared buffer would keep (and post to the face
      // worker) all of it. Large outputs already do; small ones come from Buffer's shared pool.
      bytes = out.byteOffset === 0 && out.buffer.byteLength === out.byteLength ? new Uint8Array(out.buffer) : new Uint8Array(out);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw sizeMismatch(entry);
      throw unreadable(`${entry.name} is damaged`);
    }
  }
  if (bytes.length !== entry.size) throw sizeMismatch(entry);
  return bytes;
}

const isKept = (name: string) => !name.startsWith('__MACOSX/') && (IMAGE_FILE.test(name) || name.endsWith(GROUPS_FILE));

/** The photos and groups.csv of a zip, by name, after checking every entry's headers. */
async function unpackKept(zip: Uint8Array): Promise<Map<string, Uint8Array>> {
  let entries: ZipEntry[];
  try {
    entries = zipEntries(zip);
  } catch (error) {
    if (error instanceof CalibrationSetError) throw error;
    throw unreadable(); // a header pointing outside the file
  }
  const kept = entries.filter((e) => isKept(e.name));
  let total = 0;
  for (const entry of kept) {
    checkEntry(entry);
    total += entry.size;
    if (total > MAX_SET_UNPACKED_BYTES) {
      throw new CalibrationSetError(
        `The set unpacks to more than ${megabytes(MAX_SET_UNPACKED_BYTES)}, the most one run may hold in memory. Split it into smaller sets.`,
      );
    }
  }
  const files = new Map<string, Uint8Array>();
  for (const entry of kept) {
    try {
      files.set(entry.name, await unpack(zip, entry));
      // Stored entries are only copied, with no wait in between: let requests in between them.
      await nextTurn();
    } catch (error) {
      if (error instanceof CalibrationSetError) throw error;
      throw unreadable();
    }
  }
  return files;
}

/**
 * A labelled set from a zip's bytes: `<person>/<photo>`, optionally under one top folder, with
 * an optional `groups.csv` beside the person folders. Unpacked in memory.
 */
export async function readSetFromZip(zip: Uint8Array, groupsCsv?: string): Promise<LabelledSet> {
  const files = await unpackKept(zip);
  const names = [...files.keys()].sort();
  // A zip of a folder puts everything under that folder's name: look one level down then.
  const parts = names.map((n) => n.split('/').filter(Boolean));
  const tops = new Set(parts.map((p) => p[0]));
  const depth = tops.size === 1 && parts.every((p) => p.length >= 3 || (p.length === 2 && p[1] === GROUPS_FILE)) ? 1 : 0;
  const images: LabelledImage[] = [];
  let csv = groupsCsv;
  names.forEach((name, i) => {
    const p = parts[i]!.slice(depth);
    if (p.length === 1 && p[0] === GROUPS_FILE) {
      csv ??= new TextDecoder().decode(files.get(name)!);
      return;
    }
    if (p.length !== 2 || !IMAGE_FILE.test(p[1]!)) return;
    images.push({ identity: p[0]!, name: p.join('/'), bytes: files.get(name)! });
  });
  return checked(images, csv ? parseGroupsCsv(csv) : new Map());
}

/** Checks a set is usable (at least two people, some genuine pairs) and lists what its runner should know. */
export function checked(images: LabelledImage[], groups: Map<string, string>): LabelledSet {
  if (images.length > MAX_SET_IMAGES)
    throw new CalibrationSetError(`The set holds ${images.length.toLocaleString('en-GB')} images; at most ${MAX_SET_IMAGES.toLocaleString('en-GB')} per run.`);
  const perPerson = new Map<string, number>();
  for (const image of images) perPerson.set(image.identity, (perPerson.get(image.identity) ?? 0) + 1);
  if (perPerson.size < 2) {
    throw new CalibrationSetError(
      `Found ${perPerson.size === 0 ? 'no photos in person folders' : 'photos of only one person'}: a calibration set needs a folder per person ` +
        '(<person>/<photo>.jpg), at least two people, and two or more photos of each.',
    );
  }
  const alone = [...perPerson.values()].filter((n) => n < 2).length;
  if (alone === perPerson.size) throw new CalibrationSetError('No person has two or more photos, so there are no genuine pairs to measure misses with.');
  const warnings: string[] = [];
  if (alone > 0)
    warnings.push(`${alone} of ${plural(perPerson.size, 'person')} ${alone === 1 ? 'has' : 'have'} a single photo: they count only in impostor pairs.`);
  if (groups.size > 0) {
    const unlabelled = [...perPerson.keys()].filter((p) => !groups.has(p)).length;
    if (unlabelled > 0)
      warnings.push(
        `${plural(unlabelled, 'person')} ${unlabelled === 1 ? 'has' : 'have'} no group in ${GROUPS_FILE}: they are left out of the per-group figures.`,
      );
  }
  return { images, groups, warnings };
}
