import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { notFound } from '@/lib/http/errors';
import { route } from '@/lib/http/route';
import { getServiceAccount } from '@/lib/service-accounts/data';
import { revokeServiceAccount } from '@/lib/service-accounts/mutations';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('user:manage');
  const account = await getServiceAccount((await params).id);
  if (!account) throw notFound('No such service account.');
  return Response.json(account);
});

/** Revokes the account: its keys stop working and its sockets close at once; it cannot be given a key again. */
export const DELETE = route(async (request, { params }: Context) => {
  const actor = await requirePermission('user:manage');
  return Response.json(await revokeServiceAccount({ actor, ip: clientIpFrom(request.headers) }, (await params).id));
});
