import { requirePermission } from '@/lib/auth/guards';
import { route } from '@/lib/http/route';
import { recognitionOverview } from '@/lib/recognition/overview';

/** The recognisers, their template coverage, the calibrations and the target: counts and figures only. */
export const GET = route(async () => {
  await requirePermission('recognition:read');
  return Response.json(await recognitionOverview());
});
