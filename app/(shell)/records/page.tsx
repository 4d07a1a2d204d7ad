import type { Metadata } from 'next';
import { formatCount, formatDay, formatRate } from '@/components/records/dashboard-format';
import { DashboardCharts } from '@/components/records/dashboard-charts';
import { DashboardFilters } from '@/components/records/dashboard-filters';
import { DashboardTable } from '@/components/records/dashboard-table';
import styles from '@/components/records/dashboard.module.css';
import { requirePagePermission } from '@/lib/auth/guards';
import { loadDashboard } from '@/lib/dashboard/data';
import { filterQuery, parseDashboardFilter } from '@/lib/dashboard/schema';
import { boroughNames } from '@/lib/geo/boroughs';

export const metadata: Metadata = { title: 'Records' };

type Search = Record<string, string | string[] | undefined>;

/** The dashboard across deployments: what each did in a date range, with totals and charts. */
export default async function RecordsPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission('report:read');
  const search = await searchParams;
  const raw = Object.fromEntries(Object.entries(search).map(([key, value]) => [key, Array.isArray(value) ? value[0] : value]));
  const boroughs = boroughNames();
  const asked = parseDashboardFilter(raw, boroughs);
  // A bad link still shows something: the default view, with the problem named.
  const parsed = asked.ok ? asked : parseDashboardFilter({}, boroughs);
  if (!parsed.ok) throw new Error('the default dashboard filter is invalid');
  const { filter } = parsed;
  const data = await loadDashboard(filter);
  const query = filterQuery(filter).toString();
  const chosen = [filter.borough, filter.status ? `status ${filter.status}` : null].filter(Boolean).join(', ');

  return (
    <div className={`page ${styles.printPage}`}>
      <header className="page-header">
        <h1>Records</h1>
        <p className="muted lead">
          What each deployment did — faces processed, alerts, decisions and what followed — with nothing about any face or person on a watchlist.
        </p>
      </header>
      <DashboardFilters from={filter.from} to={filter.to} borough={filter.borough} status={filter.status} boroughs={boroughs} />
      {!asked.ok && (
        <p className="form-error" role="alert">
          Filters ignored: {asked.message}. Showing the last 90 days.
        </p>
      )}
      <section className={styles.summary} aria-label="What is shown">
        <p data-testid="records-range">
          Deployments planned to start from <strong>{formatDay(filter.from)}</strong> to <strong>{formatDay(filter.to)}</strong> (London time)
          {chosen ? `; ${chosen}` : ''}.
        </p>
        <p className="muted">
          Force’s target: 1 false alert in {formatCount(data.target.facesPerFalseAlert)} faces ({formatRate(data.target.per1000)} per 1,000)
          {data.target.isDefault ? ', the default' : ''}.
        </p>
        <div className={`${styles.actions} ${styles.noPrint}`}>
          <a className="button" href={`/api/records.csv?${query}`} download>
            Download CSV
          </a>
        </div>
      </section>
      {data.rows.length === 0 ? (
        <div className="panel empty-state" data-testid="records-empty">
          <h2>No deployments</h2>
          <p className="muted">No deployment is planned to start in this range{chosen ? ' with these filters' : ''}. Widen the dates or clear the filters.</p>
        </div>
      ) : (
        <>
          <DashboardCharts
            rows={data.rows.map(({ id, name, startsAt, facesProcessed, alertsRaised, falseAlertsPer1000, medianDecisionMs }) => ({
              id,
              name,
              startsAt,
              facesProcessed,
              alertsRaised,
              falseAlertsPer1000,
              medianDecisionMs,
            }))}
            targetPer1000={data.target.per1000}
            facesPerFalseAlert={data.target.facesPerFalseAlert}
          />
          <DashboardTable data={data} />
        </>
      )}
    </div>
  );
}
