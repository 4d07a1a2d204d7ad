import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';
import { auditRecordExport } from '@/lib/records/mutations';
import { deploymentRecord } from '@/lib/records/record';

type Context = { params: Promise<{ id: string }> };

/** The record page calls this before it prints: printing is an export like any other, and is audited. */
export const POST = route(async (request, { params }: Context) => {
  const user = await requirePermission('report:read');
  const record = await deploymentRecord((await params).id);
  await auditRecordExport(user, clientIpFrom(request.headers), record, 'print');
  return new Response(null, { status: 204 });
});
