import { auditedTransaction } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { Tx } from '@/lib/db/client';
import { getAccuracyTarget, getEscalation, getForceName } from './data';
import { SETTING_KEYS, type AccuracyTarget, type Escalation, type ForceName } from './schema';

/** Writes of settings. Callers hold 'settings:manage' (admins); every change is audited with before and after. */

type Context = { actor: SessionUser; ip: string | null };

async function writeSetting(tx: Tx, key: string, value: unknown, actorId: string | null) {
  const json = JSON.stringify(value);
  await tx.setting.upsert({ where: { key }, create: { key, value: json, updatedById: actorId }, update: { value: json, updatedById: actorId } });
}

/** Writes one setting and audits it with the value before and after, in one transaction. */
async function changeSetting<T>(ctx: Context, key: string, read: (tx: Tx) => Promise<T>, value: unknown, shown: (before: T) => unknown): Promise<T> {
  return auditedTransaction(async (tx, audit) => {
    const before = await read(tx);
    await writeSetting(tx, key, value, ctx.actor.id);
    await audit({
      action: 'settings.changed',
      actorId: ctx.actor.id,
      ip: ctx.ip,
      subjectType: 'setting',
      subjectId: key,
      details: { from: shown(before), to: value },
    });
    return read(tx);
  });
}

export async function setAccuracyTarget(ctx: Context, target: AccuracyTarget) {
  return changeSetting(ctx, SETTING_KEYS.accuracyTarget, getAccuracyTarget, target, (before) => ({ facesPerFalseAlert: before.facesPerFalseAlert }));
}

/** The force's name printed on published records. Callers hold 'settings:manage'. */
export async function setForceName(ctx: Context, { name }: ForceName) {
  return { name: await changeSetting(ctx, SETTING_KEYS.forceName, getForceName, name, (before) => before) };
}

/** When awaiting alerts escalate. Callers hold 'settings:manage'. */
export async function setEscalation(ctx: Context, escalation: Escalation) {
  return changeSetting(ctx, SETTING_KEYS.alertEscalation, getEscalation, escalation, ({ colourAfterSeconds, soundAfterSeconds }) => ({
    colourAfterSeconds,
    soundAfterSeconds,
  }));
}

/** Inside the caller's audited transaction: which calibration a recogniser's forecasts use. */
export async function writeActiveCalibration(tx: Tx, engineId: string, calibrationId: string, actorId: string | null) {
  await writeSetting(tx, SETTING_KEYS.calibrationPrefix + engineId, calibrationId, actorId);
}
