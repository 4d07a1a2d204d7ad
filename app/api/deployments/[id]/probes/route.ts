import { requirePermissionOrApiKey } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';
import { answerProbe } from '@/lib/live/http-probes';

type Context = { params: Promise<{ id: string }> };

/**
 * For integrations other than the browser tiles (the tiles use the socket, `probe:submit`): a
 * signed-in person, or a service account with `Authorization: Bearer <API key>`. server.ts answers
 * this path itself, through the same checks and function, without Next's route stack
 * (lib/live/http-probes.ts says why); this is the route as Next would serve it.
 */
export const POST = route(async (request, { params }: Context) => {
  const caller = await requirePermissionOrApiKey('probe:submit');
  return answerProbe(caller, request, (await params).id);
});
