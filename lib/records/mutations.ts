import { recordAuditEvent } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { DeploymentRecord } from './record';
import type { RecordFormat } from './schema';

/**
 * Every view and export of a deployment's record is audited: who saw or took which deployment's
 * figures out of Sightline, in which form, and the headline figures they carried (so a published figure can be
 * traced to the export it came from).
 */
export async function auditRecordExport(actor: SessionUser, ip: string | null, record: DeploymentRecord, format: RecordFormat): Promise<void> {
  await auditRecord('record.exported', actor, ip, record, { format });
}

/** Opening the record's page is recorded too: a page on screen can be printed with the browser's own menu. */
export async function auditRecordView(actor: SessionUser, ip: string | null, record: DeploymentRecord): Promise<void> {
  await auditRecord('record.viewed', actor, ip, record, {});
}

async function auditRecord(
  action: 'record.viewed' | 'record.exported',
  actor: SessionUser,
  ip: string | null,
  record: DeploymentRecord,
  extra: Record<string, unknown>,
): Promise<void> {
  await recordAuditEvent({
    action,
    actorId: actor.id,
    ip,
    subjectType: 'deployment',
    subjectId: record.deployment.id,
    details: { ...extra, faces: record.faces.total, alerts: record.alerts.raised, falseAlerts: record.alerts.falseAlerts, generatedAt: record.generatedAt },
  });
}
