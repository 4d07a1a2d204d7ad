import Link from 'next/link';
import { DEPLOYMENT_STATUSES } from '@/lib/deployments/state-machine';
import styles from './dashboard.module.css';

/**
 * The dashboard's filters: a plain GET form, so the filtered view is in the address and can be
 * linked or bookmarked, and works before any script has loaded. Dates are typed year-month-day:
 * a date field would show them in the browser's own order (12/05/2026 in an American browser),
 * which reads the wrong way round in a British control room. Server-rendered.
 */

const STATUS_WORDS: Record<(typeof DEPLOYMENT_STATUSES)[number], string> = {
  draft: 'Draft',
  submitted: 'Awaiting authorisation',
  authorised: 'Authorised',
  live: 'Live',
  suspended: 'Suspended',
  ended: 'Ended',
  cancelled: 'Cancelled',
};

type Props = { from: string; to: string; borough: string | null; status: string | null; boroughs: readonly string[] };

export function DashboardFilters({ from, to, borough, status, boroughs }: Props) {
  return (
    // noValidate: a mistyped date is named by the page in its own words (above the figures), never
    // in a browser bubble; an empty date means the default range.
    <form className={`filters panel ${styles.noPrint}`} method="get" action="/records" aria-label="Choose the deployments shown" noValidate>
      <label className="field">
        <span>Planned start from (London)</span>
        <input name="from" type="text" inputMode="numeric" placeholder="YYYY-MM-DD" defaultValue={from} aria-describedby="records-date-format" />
      </label>
      <label className="field">
        <span>to (inclusive)</span>
        <input name="to" type="text" inputMode="numeric" placeholder="YYYY-MM-DD" defaultValue={to} aria-describedby="records-date-format" />
      </label>
      <label className="field">
        <span>Borough</span>
        <select name="borough" defaultValue={borough ?? ''}>
          <option value="">Any borough</option>
          {boroughs.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Status</span>
        <select name="status" defaultValue={status ?? ''}>
          <option value="">Any status</option>
          {DEPLOYMENT_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_WORDS[s]}
            </option>
          ))}
        </select>
      </label>
      <p id="records-date-format" className={`muted small ${styles.dateHint}`}>
        Dates are written year-month-day (2026-12-01 is 1 December 2026), London days.
      </p>
      <div className="filter-actions">
        <button className="button primary" type="submit">
          Apply
        </button>
        <Link className="button" href="/records">
          Last 90 days
        </Link>
      </div>
    </form>
  );
}
