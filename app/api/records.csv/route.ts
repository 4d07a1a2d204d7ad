import { requirePermission } from '@/lib/auth/guards';
import { dashboardCsv, dashboardCsvName } from '@/lib/dashboard/csv';
import { loadDashboard } from '@/lib/dashboard/data';
import { recordDashboardExport } from '@/lib/dashboard/mutations';
import { parseDashboardFilter } from '@/lib/dashboard/schema';
import { boroughNames } from '@/lib/geo/boroughs';
import { badRequest } from '@/lib/http/errors';
import { clientIpFrom } from '@/lib/http/client-ip';
import { route } from '@/lib/http/route';

/** The dashboard's table as CSV, for the same filter as /records (its query string); audited. */
export const GET = route(async (request) => {
  const user = await requirePermission('report:read');
  const parsed = parseDashboardFilter(Object.fromEntries(new URL(request.url).searchParams), boroughNames());
  if (!parsed.ok) throw badRequest('invalid_filter', parsed.message, { field: parsed.field });
  const data = await loadDashboard(parsed.filter);
  await recordDashboardExport(user, data, clientIpFrom(request.headers));
  return new Response(dashboardCsv(data), {
    headers: {
      'content-type': 'text/csv; charset=utf-8; header=present',
      'content-disposition': `attachment; filename="${dashboardCsvName(data.filter)}"`,
    },
  });
});
