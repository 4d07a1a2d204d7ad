/**
 * npm run calibrate -- <folder> [--name "…"] [--source "…"] [--groups groups.csv] [--activate] [--out result.json] [--no-store]
 *
 * Measures every enabled recogniser (face-api, and the ONNX model named by
 * RECOGNISER_ONNX_MODEL / RECOGNISER_ONNX_MANIFEST if set) on a labelled set of faces — one
 * sub-folder per person, two or more photos each, optionally a CSV of `person,group` — and
 * stores the calibration in DATABASE_URL's database (default: data/sightline.db), where the
 * Recognition page shows it. `--activate` makes it the one forecasts use for each recogniser it
 * measured; `--out` also writes the result as JSON; `--no-store` skips the database.
 *
 * The photos are read, analysed and dropped: only score distributions are kept.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { applyMigrations } from '../lib/db/migrate';
import { disconnectDb } from '../lib/db/client';
import { resolveDatabaseUrl } from '../lib/db/url';
import { readSetFromFolder } from '../lib/recognition/calibration-folder';
import { CalibrationSetError } from '../lib/recognition/calibration-set';
import { measureSet } from '../lib/recognition/calibration-run';
import { fmrAt, fnmrAt } from '../lib/recognition/calibration';
import { checkRecognisers, enabledEngines } from '../lib/recognition/engines';
import { activateCalibration, completeCalibration, createCalibrationRun, failCalibration } from '../lib/recognition/mutations';
import { closeFaceLanes } from '../lib/recognition/pool';

const USAGE = 'Usage: npm run calibrate -- <folder> [--name "…"] [--source "…"] [--groups groups.csv] [--activate] [--out result.json] [--no-store]';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      source: { type: 'string' },
      groups: { type: 'string' },
      activate: { type: 'boolean', default: false },
      out: { type: 'string' },
      'no-store': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return 2;
  }
  const folder = path.resolve(positionals[0]!);
  const store = !values['no-store'];
  if (values.activate && !store) {
    console.error('--activate needs the database: drop --no-store.');
    return 2;
  }

  const set = readSetFromFolder(folder, values.groups);
  const people = new Set(set.images.map((i) => i.identity)).size;
  console.log(`[calibrate] ${set.images.length} photos of ${people} people from ${folder}${set.groups.size ? `, ${set.groups.size} people in groups` : ''}`);
  for (const warning of set.warnings) console.log(`[calibrate] note: ${warning}`);
  console.log(`[calibrate] ${await checkRecognisers()}`);

  const name = values.name ?? `${path.basename(folder)} (${new Date().toISOString().slice(0, 10)})`;
  const source = values.source ?? `Labelled folder ${path.basename(folder)}, calibrated with npm run calibrate.`;
  let id: string | null = null;
  if (store) {
    await applyMigrations({ databaseUrl: resolveDatabaseUrl(), log: () => {} });
    id = await createCalibrationRun(
      { actor: null, ip: null },
      { name, source, engineIds: enabledEngines().map((e) => e.manifest.id), images: set.images.length, people },
    );
  }

  const started = Date.now();
  let shown = -1;
  try {
    const result = await measureSet(set, (done, total) => {
      const percent = Math.floor((done / total) * 100);
      if (percent !== shown && (percent % 5 === 0 || done === total)) {
        shown = percent;
        process.stdout.write(`\r[calibrate] analysed ${done}/${total} photos (${percent} %)`);
      }
    });
    process.stdout.write('\n');
    console.log(
      `[calibrate] ${result.images} photos used of ${set.images.length}; skipped: ${JSON.stringify(result.skipped)}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
    for (const engine of result.engines) {
      console.log(
        `[calibrate] ${engine.engineId} ${engine.engineVersion}: ${engine.genuine.pairs.toLocaleString('en-GB')} genuine and ${engine.impostor.pairs.toLocaleString('en-GB')} impostor pairs, d′ ${engine.dPrime?.toFixed(2) ?? '—'}`,
      );
      const probe = engine.metric === 'cosine' ? [0.3, 0.4, 0.5] : [0.4, 0.5, 0.6];
      for (const t of probe) {
        const fmr = fmrAt(engine, t);
        const fnmr = fnmrAt(engine, t);
        console.log(
          `             at ${t.toFixed(2)}: FMR ${fmr.estimate.toExponential(2)} (≤ ${fmr.upperOneSided.toExponential(2)}), FNMR ${(fnmr.estimate * 100).toFixed(1)} %`,
        );
      }
    }
    if (values.out) {
      writeFileSync(values.out, JSON.stringify({ name, source, createdAt: new Date().toISOString(), result }, null, 1) + '\n');
      console.log(`[calibrate] written to ${values.out}`);
    }
    if (id) {
      await completeCalibration({ actor: null, ip: null }, id, result);
      console.log(`[calibrate] stored as calibration ${id}`);
      if (values.activate) {
        for (const engine of result.engines) await activateCalibration({ actor: null, ip: null }, id, { id: engine.engineId, version: engine.engineVersion });
        console.log(`[calibrate] forecasts of ${result.engines.map((e) => e.engineId).join(', ')} now use it`);
      }
    }
    return 0;
  } catch (error) {
    process.stdout.write('\n');
    if (id) await failCalibration({ actor: null, ip: null }, id, error instanceof Error ? error.message : String(error));
    throw error;
  }
}

main()
  .then(async (code) => {
    await closeFaceLanes();
    await disconnectDb();
    process.exit(code);
  })
  .catch(async (error: unknown) => {
    console.error(error instanceof CalibrationSetError || error instanceof Error ? `[calibrate] ${error.message}` : error);
    await closeFaceLanes();
    process.exit(1);
  });
