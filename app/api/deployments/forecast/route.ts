import { requirePermission } from '@/lib/auth/guards';
import { requireVerifyThresholdInRange } from '@/lib/deployments/mutations';
import { ForecastPreviewSchema } from '@/lib/deployments/schema';
import { readJson, route } from '@/lib/http/route';
import { forecastForPlan, planVerifier } from '@/lib/recognition/forecasts';

/**
 * The false-alert forecast of a plan as typed (not saved): counts and rates only, nothing audited.
 * A verification threshold for the verifier running here is refused outside its range (422 naming
 * it), as saving it would be: the preview never shows a forecast for a value the plan cannot hold.
 */
export const POST = route(async (request) => {
  await requirePermission('deployment:plan');
  const input = await readJson(request, ForecastPreviewSchema);
  const { engine, unavailable } = planVerifier(input.verifierId);
  if (input.verifyThreshold !== null && !unavailable) requireVerifyThresholdInRange(input.verifyThreshold, engine.manifest);
  return Response.json(await forecastForPlan(input));
});
