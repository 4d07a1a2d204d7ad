import { requireSession } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { changeOwnPassword } from '@/lib/users/mutations';
import { ChangePasswordSchema } from '@/lib/users/schema';

// The one route a session with a temporary password may use (besides sign-out).
export const POST = route(async (request) => {
  const session = await requireSession();
  const input = await readJson(request, ChangePasswordSchema);
  const user = await changeOwnPassword({ actor: session.user, sessionId: session.id, ip: clientIpFrom(request.headers) }, input);
  return Response.json({ id: user.id, mustChangePassword: user.mustChangePassword });
});
