import { unzipSync } from 'fflate';

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

/**
 * A labelled set from a zip's bytes: `<person>/<photo>`, optionally under one top folder, with
 * an optional `groups.csv` beside the person folders. Unpacked in memory.
 */
export function readSetFromZip(zip: Uint8Array, groupsCsv?: string): LabelledSet {
  let files: Record<string, Uint8Array>;
  try {
    let count = 0;
    files = unzipSync(zip, {
      filter: (file) => {
        if (IMAGE_FILE.test(file.name) || file.name.endsWith(GROUPS_FILE)) count++;
        if (count > MAX_SET_IMAGES + 1) throw new CalibrationSetError(`The zip holds more than ${MAX_SET_IMAGES.toLocaleString('en-GB')} images.`);
        return !file.name.startsWith('__MACOSX/') && (IMAGE_FILE.test(file.name) || file.name.endsWith(GROUPS_FILE));
      },
    });
  } catch (error) {
    if (error instanceof CalibrationSetError) throw error;
    throw new CalibrationSetError('The file is not a readable zip archive.');
  }
  const names = Object.keys(files).sort();
  // A zip of a folder puts everything under that folder's name: look one level down then.
  const parts = names.map((n) => n.split('/').filter(Boolean));
  const tops = new Set(parts.map((p) => p[0]));
  const depth = tops.size === 1 && parts.every((p) => p.length >= 3 || (p.length === 2 && p[1] === GROUPS_FILE)) ? 1 : 0;
  const images: LabelledImage[] = [];
  let csv = groupsCsv;
  names.forEach((name, i) => {
    const p = parts[i]!.slice(depth);
    if (p.length === 1 && p[0] === GROUPS_FILE) {
      csv ??= new TextDecoder().decode(files[name]!);
      return;
    }
    if (p.length !== 2 || !IMAGE_FILE.test(p[1]!)) return;
    images.push({ identity: p[0]!, name: p.join('/'), bytes: files[name]! });
  });
  return checked(images, csv ? parseGroupsCsv(csv) : new Map());
}

/** Checks a set is usable (at least two people, some genuine pairs) and lists what its runner should know. */
export function checked(images: LabelledImage[], groups: Map<string, string>): LabelledSet {
  if (images.length > MAX_SET_IMAGES) throw new CalibrationSetError(`The set holds ${images.length.toLocaleString('en-GB')} images; at most ${MAX_SET_IMAGES.toLocaleString('en-GB')} per run.`);
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
  if (alone > 0) warnings.push(`${alone} of ${perPerson.size} people have a single photo: they count only in impostor pairs.`);
  if (groups.size > 0) {
    const unlabelled = [...perPerson.keys()].filter((p) => !groups.has(p)).length;
    if (unlabelled > 0) warnings.push(`${unlabelled} people have no group in ${GROUPS_FILE}: they are left out of the per-group figures.`);
  }
  return { images, groups, warnings };
}
