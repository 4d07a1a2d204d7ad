import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { notFound } from '@/lib/http/errors';
import { readJson, route } from '@/lib/http/route';
import { getUserById } from '@/lib/users/data';
import { updateUser } from '@/lib/users/mutations';
import { UpdateUserSchema } from '@/lib/users/schema';

type Context = { params: Promise<{ id: string }> };

export const GET = route(async (_request, { params }: Context) => {
  await requirePermission('user:manage');
  const user = await getUserById((await params).id);
  if (!user) throw notFound('No such user.');
  return Response.json(user);
});

export const PATCH = route(async (request, { params }: Context) => {
  const actor = await requirePermission('user:manage');
  const input = await readJson(request, UpdateUserSchema);
  const user = await updateUser({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input);
  return Response.json(user);
});
