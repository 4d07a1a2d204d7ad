import { requireUser } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';

export const GET = route(async () => {
  const user = await requireUser();
  return Response.json({ id: user.id, email: user.email, name: user.name, role: user.role });
});
