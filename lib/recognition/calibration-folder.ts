import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { CalibrationSetError, checked, GROUPS_FILE, IMAGE_FILE, parseGroupsCsv, type LabelledImage, type LabelledSet } from './calibration-set';

/**
 * A labelled set on disk, for `npm run calibrate -- <folder>` (scripts/calibrate.ts): the same
 * layout as an uploaded zip. Kept apart from calibration-set.ts so the web server's bundle never
 * reads files by a path it is given.
 *
 * `<folder>/<person>/<photo>`; groups from `groupsFile` or `<folder>/groups.csv`.
 */
export function readSetFromFolder(folder: string, groupsFile?: string): LabelledSet {
  let entries: string[];
  try {
    entries = readdirSync(folder);
  } catch {
    throw new CalibrationSetError(`${folder}: no such folder.`);
  }
  const images: LabelledImage[] = [];
  for (const person of entries.sort()) {
    const dir = path.join(folder, person);
    if (!statSync(dir).isDirectory()) continue;
    for (const file of readdirSync(dir).sort()) {
      if (!IMAGE_FILE.test(file)) continue;
      images.push({ identity: person, name: `${person}/${file}`, bytes: new Uint8Array(readFileSync(path.join(dir, file))) });
    }
  }
  const csvPath = groupsFile ?? path.join(folder, GROUPS_FILE);
  if (!groupsFile && !existsSync(csvPath)) return checked(images, new Map());
  let text: string;
  try {
    text = readFileSync(csvPath, 'utf8');
  } catch {
    throw new CalibrationSetError(`${csvPath}: could not be read.`);
  }
  return checked(images, parseGroupsCsv(text));
}
