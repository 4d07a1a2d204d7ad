import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { notFound, redirect } from 'next/navigation';
import { formatLondon } from '@/components/deployments/london-time';
import { StatusBadge } from '@/components/deployments/status-badge';
import { RecordActions } from '@/components/records/record-actions';
import { RecordView } from '@/components/records/record-view';
import styles from '@/components/records/record.module.css';
import { requirePagePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { HttpError } from '@/lib/http/errors';
import { auditRecordView } from '@/lib/records/mutations';
import { deploymentRecord, type DeploymentRecord } from '@/lib/records/record';

export const metadata: Metadata = { title: 'Deployment record' };

async function load(id: string): Promise<DeploymentRecord> {
  try {
    return await deploymentRecord(id);
  } catch (error) {
    if (error instanceof HttpError && error.status === 404) notFound();
    // Never live: nothing to record yet; the deployment's own page says where it stands.
    if (error instanceof HttpError && error.code === 'never_live') redirect(`/deployments/${encodeURIComponent(id)}`);
    throw error;
  }
}

/** The record a force publishes for one deployment (senior officers and auditors). */
export default async function DeploymentRecordPage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requirePagePermission('report:read');
  const { id } = await params;
  const record = await load(id);
  await auditRecordView(user, clientIpFrom(await headers()), record);
  const status = record.deployment.status;
  return (
    <div className={`page ${styles.printPage}`}>
      <header className="page-header">
        <p className={styles.printHeader}>
          <strong>{record.forceName}</strong> · Live facial recognition deployment record
        </p>
        <nav aria-label="Breadcrumb" className="eyebrow">
          <Link href={`/deployments/${record.deployment.id}`}>{record.deployment.name}</Link> · Record
        </nav>
        <h1>
          {record.deployment.name} <StatusBadge status={status} />
        </h1>
        <p className="muted">
          Figures as of {formatLondon(record.generatedAt)} (London time)
          {status === 'live' ? ', up to the last completed minute; the deployment is still live' : ''}. Published by {record.forceName}. Nothing here shows a
          face or names anyone on a watchlist.
        </p>
        <RecordActions deploymentId={record.deployment.id} />
      </header>
      <RecordView record={record} />
    </div>
  );
}
