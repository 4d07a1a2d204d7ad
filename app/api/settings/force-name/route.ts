import { requirePermission, requireUser } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { getForceName } from '@/lib/settings/data';
import { setForceName } from '@/lib/settings/mutations';
import { ForceNameSchema } from '@/lib/settings/schema';

/** The force's name printed on published deployment records: anyone signed in reads it, admins set it. */
export const GET = route(async () => {
  await requireUser();
  return Response.json({ name: await getForceName() });
});

export const PUT = route(async (request) => {
  const actor = await requirePermission('settings:manage');
  const body = await readJson(request, ForceNameSchema);
  return Response.json(await setForceName({ actor, ip: clientIpFrom(request.headers) }, body));
});
