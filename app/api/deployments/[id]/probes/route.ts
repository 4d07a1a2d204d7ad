import { requirePermissionOrApiKey } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { readJson, route } from '@/lib/http/route';
import { httpAnalyser } from '@/lib/live/lease-access';
import { submitProbe } from '@/lib/live/probes';
import { z } from 'zod';

type Context = { params: Promise<{ id: string }> };

// A probe is validated by the pipeline (lib/face/probe.ts); here only its size is bounded.
const ProbeBody = z.unknown();

/**
 * For integrations other than the browser tiles (the tiles use the socket, `probe:submit`): a
 * signed-in person, or a service account with `Authorization: Bearer <API key>`.
 */
export const POST = route(async (request, { params }: Context) => {
  const user = await requirePermissionOrApiKey('probe:submit');
  const body = await readJson(request, ProbeBody, { limitBytes: 128 * 1024 });
  const sender = httpAnalyser(user, user.via.kind === 'session' ? user.via.sessionId : user.via.keyId);
  return Response.json(await submitProbe(user, (await params).id, body, sender, clientIpFrom(request.headers)));
});
