import { requirePermission } from '@/lib/auth/guards';
import { clientIpFrom } from '@/lib/http/client-ip';
import { unprocessable } from '@/lib/http/errors';
import { readJson, route } from '@/lib/http/route';
import { engineById } from '@/lib/recognition/engines';
import { activateCalibration } from '@/lib/recognition/mutations';
import { ActivateCalibrationSchema } from '@/lib/recognition/schema';

type Context = { params: Promise<{ id: string }> };

/** Makes a calibration the one a recogniser's forecasts use (audited). */
export const POST = route(async (request, { params }: Context) => {
  const actor = await requirePermission('recognition:manage');
  const { engineId } = await readJson(request, ActivateCalibrationSchema);
  const engine = engineById(engineId);
  if (!engine) throw unprocessable('unknown_engine', `engineId: ${engineId} is not a recogniser enabled on this server.`);
  await activateCalibration({ actor, ip: clientIpFrom(request.headers) }, (await params).id, { id: engine.manifest.id, version: engine.manifest.version });
  return Response.json({ ok: true });
});
