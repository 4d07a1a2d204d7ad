import { recordAuditEvent } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { DeploymentRecord } from './record';
import type { RecordFormat } from './schema';

/**
 * Every export of a deployment's record is audited: who took which deployment's figures out of
 * Sightline, in which form, and the headline figures they carried (so a published figure can be
 * traced to the export it came from).
 */
export async function auditRecordExport(actor: SessionUser, ip: string | null, record: DeploymentRecord, format: RecordFormat): Promise<void> {
  await recordAuditEvent({
    action: 'record.exported',
    actorId: actor.id,
    ip,
    subjectType: 'deployment',
    subjectId: record.deployment.id,
    details: { format, faces: record.faces.total, alerts: record.alerts.raised, falseAlerts: record.alerts.falseAlerts, generatedAt: record.generatedAt },
  });
}
