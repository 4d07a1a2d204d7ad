import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readQuery, route } from '@/lib/http/route';
import { recordCsv } from '@/lib/records/csv';
import { auditRecordExport } from '@/lib/records/mutations';
import { deploymentRecord } from '@/lib/records/record';
import { RecordQuerySchema } from '@/lib/records/schema';

type Context = { params: Promise<{ id: string }> };

/** A deployment's record as JSON (default) or CSV (`?format=csv`): senior officers and auditors; every download is audited. */
export const GET = route(async (request, { params }: Context) => {
  const user = await requirePermission('report:read');
  const { format } = readQuery(request, RecordQuerySchema);
  const record = await deploymentRecord((await params).id);
  await auditRecordExport(user, clientIpFrom(request.headers), record, format);
  if (format === 'json') return Response.json(record);
  const file = `sightline-record-${record.deployment.id}.csv`;
  return new Response(recordCsv(record), {
    headers: { 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${file}"` },
  });
});
