import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { resetPassword } from '@/lib/users/mutations';
import { ResetPasswordSchema } from '@/lib/users/schema';

type Context = { params: Promise<{ id: string }> };

export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('user:manage');
  const input = await readJson(request, ResetPasswordSchema);
  const user = await resetPassword({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input);
  return Response.json(user);
});
