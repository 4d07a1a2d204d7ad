import { recordAuditEvent } from '@/lib/audit/mutations';
import type { SessionUser } from '@/lib/auth/session-user';
import type { DashboardData } from './data';

/**
 * The dashboard's one write: an export of its table is audited, with the filter that chose the
 * rows and how many there were (what left the building, not the figures themselves).
 */
export async function recordDashboardExport(actor: Pick<SessionUser, 'id' | 'email'>, data: DashboardData, ip: string | null): Promise<void> {
  await recordAuditEvent({
    action: 'records.exported',
    actorId: actor.id,
    actorEmail: actor.email,
    subjectType: 'records',
    details: { format: 'csv', filter: data.filter, deployments: data.rows.length },
    ip,
  });
}
