import { auditedTransaction } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { Tx } from '@/lib/db/client';
import { getAccuracyTarget, getForceName } from './data';
import { SETTING_KEYS, type AccuracyTarget, type ForceName } from './schema';

/** Writes of settings. Callers hold 'settings:manage' (admins); every change is audited with before and after. */

type Context = { actor: SessionUser; ip: string | null };

async function writeSetting(tx: Tx, key: string, value: unknown, actorId: string | null) {
  const json = JSON.stringify(value);
  await tx.setting.upsert({ where: { key }, create: { key, value: json, updatedById: actorId }, update: { value: json, updatedById: actorId } });
}

export async function setAccuracyTarget(ctx: Context, target: AccuracyTarget) {
  return auditedTransaction(async (tx, audit) => {
    const before = await getAccuracyTarget(tx);
    await writeSetting(tx, SETTING_KEYS.accuracyTarget, target, ctx.actor.id);
    await audit({
      action: 'settings.changed',
      actorId: ctx.actor.id,
      ip: ctx.ip,
      subjectType: 'setting',
      subjectId: SETTING_KEYS.accuracyTarget,
      details: { from: { facesPerFalseAlert: before.facesPerFalseAlert }, to: target },
    });
    return getAccuracyTarget(tx);
  });
}

/** The force's name printed on published records. Callers hold 'settings:manage'. */
export async function setForceName(ctx: Context, { name }: ForceName) {
  return auditedTransaction(async (tx, audit) => {
    const before = await getForceName(tx);
    await writeSetting(tx, SETTING_KEYS.forceName, name, ctx.actor.id);
    await audit({
      action: 'settings.changed',
      actorId: ctx.actor.id,
      ip: ctx.ip,
      subjectType: 'setting',
      subjectId: SETTING_KEYS.forceName,
      details: { from: before, to: name },
    });
    return { name: await getForceName(tx) };
  });
}

/** Inside the caller's audited transaction: which calibration a recogniser's forecasts use. */
export async function writeActiveCalibration(tx: Tx, engineId: string, calibrationId: string, actorId: string | null) {
  await writeSetting(tx, SETTING_KEYS.calibrationPrefix + engineId, calibrationId, actorId);
}
