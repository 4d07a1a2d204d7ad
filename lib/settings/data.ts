import { getDb, type Tx } from '@/lib/db/client';
import {
  AccuracyTargetSchema,
  DEFAULT_ESCALATION,
  DEFAULT_FACES_PER_FALSE_ALERT,
  DEFAULT_FORCE_NAME,
  EscalationSchema,
  ForceNameSchema,
  SETTING_KEYS,
  type AccuracyTarget,
  type Escalation,
} from './schema';

/**
 * Reads of settings. Anyone signed in may know the accuracy target (it is shown beside every
 * forecast); callers check nothing more. Pass the transaction when reading inside one.
 */

async function readSetting(key: string, db: Tx): Promise<unknown> {
  const row = await db.setting.findUnique({ where: { key } });
  if (!row) return undefined;
  try {
    return JSON.parse(row.value) as unknown;
  } catch {
    return undefined;
  }
}

/** The force's target, or the default when none is set (or the stored value is unusable). */
export async function getAccuracyTarget(db: Tx = getDb()): Promise<AccuracyTarget & { perFace: number; isDefault: boolean }> {
  const parsed = AccuracyTargetSchema.safeParse(await readSetting(SETTING_KEYS.accuracyTarget, db));
  const target = parsed.success ? parsed.data : { facesPerFalseAlert: DEFAULT_FACES_PER_FALSE_ALERT };
  return { ...target, perFace: 1 / target.facesPerFalseAlert, isDefault: !parsed.success };
}

/** The id of the calibration chosen for a recogniser's forecasts, if an admin chose one. */
export async function getActiveCalibrationId(engineId: string, db: Tx = getDb()): Promise<string | null> {
  const value = await readSetting(SETTING_KEYS.calibrationPrefix + engineId, db);
  return typeof value === 'string' ? value : null;
}

/** The force's name for published records, or a placeholder that says it is not set. */
export async function getForceName(db: Tx = getDb()): Promise<string> {
  const parsed = ForceNameSchema.safeParse({ name: await readSetting(SETTING_KEYS.forceName, db) });
  return parsed.success ? parsed.data.name : DEFAULT_FORCE_NAME;
}

/** When awaiting alerts escalate (colour, then sound and the overview), or the defaults (60 s, 3 min). */
export async function getEscalation(db: Tx = getDb()): Promise<Escalation & { isDefault: boolean }> {
  const parsed = EscalationSchema.safeParse(await readSetting(SETTING_KEYS.alertEscalation, db));
  return parsed.success ? { ...parsed.data, isDefault: false } : { ...DEFAULT_ESCALATION, isDefault: true };
}
