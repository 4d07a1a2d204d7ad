import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { listServiceAccounts } from '@/lib/service-accounts/data';
import { createServiceAccount } from '@/lib/service-accounts/mutations';
import { CreateServiceAccountSchema } from '@/lib/service-accounts/schema';

/** Service accounts (camera agents) and their keys' dates: never a key's text or hash. */
export const GET = route(async () => {
  await requirePermission('user:manage');
  return Response.json({ serviceAccounts: await listServiceAccounts() });
});

/** Creates a service account; the answer holds its key's text, the only time it is ever shown. */
export const POST = route(async (request) => {
  const actor = await requirePermission('user:manage');
  const input = await readJson(request, CreateServiceAccountSchema);
  const created = await createServiceAccount({ actor, ip: clientIpFrom(request.headers) }, input);
  return Response.json(created, { status: 201, headers: { 'cache-control': 'no-store' } });
});
