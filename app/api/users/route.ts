import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { listUsers } from '@/lib/users/data';
import { createUser } from '@/lib/users/mutations';
import { CreateUserSchema } from '@/lib/users/schema';

export const GET = route(async () => {
  await requirePermission('user:manage');
  return Response.json({ users: await listUsers() });
});

export const POST = route(async (request) => {
  const actor = await requirePermission('user:manage');
  const input = await readJson(request, CreateUserSchema);
  const user = await createUser({ actor, ip: clientIpFrom(request.headers) }, input);
  return Response.json(user, { status: 201 });
});
