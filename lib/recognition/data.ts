import { getDb, type Tx } from '@/lib/db/client';
import { getActiveCalibrationId } from '@/lib/settings/data';
import builtinFaceApi from './builtin/faceapi-128.json';
import type { CalibrationResult, EngineCalibration } from './calibration';
import type { CalibrationUse } from './forecast';

/**
 * Reads of calibrations: the built-in one shipped with Sightline (face-api, measured by the
 * project on faces from public packages; lib/recognition/builtin/) and the runs admins made.
 * Results hold score histograms and counts only — never an image, name or vector — so anyone
 * with 'recognition:read' may see them. Pass the transaction when reading inside one.
 */

export type CalibrationStatus = 'running' | 'done' | 'failed';

export type StoredCalibration = {
  id: string;
  name: string;
  source: string;
  status: CalibrationStatus;
  progress: number;
  message: string | null;
  engineIds: string[];
  builtIn: boolean;
  createdAt: string;
  finishedAt: string | null;
  createdBy: string | null;
  result: CalibrationResult | null;
};

type BuiltinFile = { id: string; name: string; source: string; createdAt: string; result: CalibrationResult };

/** Calibrations shipped with Sightline, used by default for their recogniser. */
export const BUILTIN_CALIBRATIONS: readonly StoredCalibration[] = [builtinFaceApi as BuiltinFile].map((file) => ({
  id: file.id,
  name: file.name,
  source: file.source,
  status: 'done',
  progress: 1,
  message: null,
  engineIds: file.result.engines.map((e) => e.engineId),
  builtIn: true,
  createdAt: file.createdAt,
  finishedAt: file.createdAt,
  createdBy: null,
  result: file.result,
}));

const parseList = (text: string): string[] => {
  const value: unknown = JSON.parse(text);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
};

type Row = Awaited<ReturnType<Tx['calibration']['findFirstOrThrow']>>;

function toStored(row: Row, createdBy: string | null): StoredCalibration {
  return {
    id: row.id,
    name: row.name,
    source: row.source,
    status: (['running', 'done', 'failed'] as const).includes(row.status as CalibrationStatus) ? (row.status as CalibrationStatus) : 'failed',
    progress: row.progress,
    message: row.message,
    engineIds: parseList(row.engineIds),
    builtIn: false,
    createdAt: row.createdAt.toISOString(),
    finishedAt: row.finishedAt?.toISOString() ?? null,
    createdBy,
    result: row.result ? (JSON.parse(row.result) as CalibrationResult) : null,
  };
}

async function creatorNames(db: Tx, ids: (string | null)[]): Promise<Map<string, string>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const users = await db.user.findMany({ where: { id: { in: wanted } }, select: { id: true, name: true } });
  return new Map(users.map((u) => [u.id, u.name]));
}

/** Every calibration, built-in first, then newest first. */
export async function listCalibrations(db: Tx = getDb()): Promise<StoredCalibration[]> {
  const rows = await db.calibration.findMany({ orderBy: { createdAt: 'desc' }, take: 200 });
  const names = await creatorNames(
    db,
    rows.map((r) => r.createdById),
  );
  return [...BUILTIN_CALIBRATIONS, ...rows.map((r) => toStored(r, r.createdById ? (names.get(r.createdById) ?? null) : null))];
}

export async function getCalibration(id: string, db: Tx = getDb()): Promise<StoredCalibration | null> {
  const builtin = BUILTIN_CALIBRATIONS.find((c) => c.id === id);
  if (builtin) return builtin;
  const row = await db.calibration.findUnique({ where: { id } });
  if (!row) return null;
  const names = await creatorNames(db, [row.createdById]);
  return toStored(row, row.createdById ? (names.get(row.createdById) ?? null) : null);
}

/** The engine's part of a finished calibration, if it measured that recogniser at that version. */
export function engineCalibrationOf(calibration: StoredCalibration, engineId: string, engineVersion: string): EngineCalibration | null {
  if (calibration.status !== 'done' || !calibration.result) return null;
  return calibration.result.engines.find((e) => e.engineId === engineId && e.engineVersion === engineVersion) ?? null;
}

/**
 * The calibration a recogniser's forecasts use: the one an admin chose for it, else the built-in
 * one for it; null when neither measured this recogniser at the version running (a forecast then
 * says it needs a calibration).
 */
export async function calibrationInUse(engineId: string, engineVersion: string, db: Tx = getDb()): Promise<CalibrationUse | null> {
  const chosenId = await getActiveCalibrationId(engineId, db);
  const candidates = [...(chosenId ? [await getCalibration(chosenId, db)] : []), ...BUILTIN_CALIBRATIONS.filter((c) => c.engineIds.includes(engineId))];
  for (const calibration of candidates) {
    if (!calibration) continue;
    const engine = engineCalibrationOf(calibration, engineId, engineVersion);
    if (engine) return { ...engine, calibrationId: calibration.id, calibrationName: calibration.name, identities: calibration.result?.identities ?? null };
  }
  return null;
}

/** Ids of calibrations still marked running (a restart interrupted them). */
export async function runningCalibrationIds(db: Tx = getDb()): Promise<string[]> {
  return (await db.calibration.findMany({ where: { status: 'running' }, select: { id: true } })).map((r) => r.id);
}
