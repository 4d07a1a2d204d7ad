import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { rotateServiceAccountKey } from '@/lib/service-accounts/mutations';
import { RotateKeySchema } from '@/lib/service-accounts/schema';

type Context = { params: Promise<{ id: string }> };

/** A new key (shown once, in this answer); the old one stops working at once. The body may be omitted. */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('user:manage');
  const input = request.headers.get('content-length') === '0' || !request.body ? RotateKeySchema.parse({}) : await readJson(request, RotateKeySchema);
  const rotated = await rotateServiceAccountKey({ actor, ip: clientIpFrom(request.headers) }, (await params).id, input);
  return Response.json(rotated, { headers: { 'cache-control': 'no-store' } });
});
