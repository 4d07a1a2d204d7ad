import { requirePermission } from '@/lib/auth/guards';
import { ForecastPreviewSchema } from '@/lib/deployments/schema';
import { readJson, route } from '@/lib/http/route';
import { forecastForPlan } from '@/lib/recognition/forecasts';

/** The false-alert forecast of a plan as typed (not saved): counts and rates only, nothing audited. */
export const POST = route(async (request) => {
  await requirePermission('deployment:plan');
  const input = await readJson(request, ForecastPreviewSchema);
  return Response.json(await forecastForPlan(input));
});
