import type { Metadata } from 'next';
import Link from 'next/link';
import { actionLabel } from '@/components/audit/action-words';
import { AuditTable } from '@/components/audit/audit-table';
import styles from '@/components/audit/audit.module.css';
import { ChainStatus } from '@/components/audit/chain-status';
import { DayInput } from '@/components/ui/day-input';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { listAuditEvents } from '@/lib/audit/data';
import { AuditQuerySchema } from '@/lib/audit/schema';
import { requirePagePermission } from '@/lib/auth/guards';
import { plural } from '@/lib/format/plural';

export const metadata: Metadata = { title: 'Audit trail' };

type Search = Record<string, string | string[] | undefined>;

function firstValues(search: Search): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(search)) {
    const v = Array.isArray(value) ? value[0] : value;
    if (v) out[key] = v; // empty form fields mean "no filter"
  }
  return out;
}

const FILTER_WORDS: Record<string, string> = {
  actor: 'Type part of an email address, on one line.',
  action: 'Choose an action from the list.',
  from: 'Type the day as YYYY-MM-DD, e.g. 2026-03-31.',
  to: 'Type the day as YYYY-MM-DD, e.g. 2026-03-31.',
};

/** The filters' problems in plain words, beside each field (the first per field). */
function filterProblems(issues: readonly { path: PropertyKey[]; message: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? '');
    if (out[field]) continue;
    out[field] = issue.message.includes('must not be after') ? 'The first day must not be after the last.' : (FILTER_WORDS[field] ?? issue.message);
  }
  return out;
}

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission('audit:read');
  const raw = firstValues(await searchParams);
  const parsed = AuditQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : AuditQuerySchema.parse({});
  const result = await listAuditEvents(query);
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const pageHref = (page: number) => `/audit?${new URLSearchParams({ ...raw, page: String(page) })}`;
  const problems = parsed.success ? {} : filterProblems(parsed.error.issues);
  const problem = (field: string) =>
    problems[field] && (
      <small className={styles.fieldProblem} id={`audit-${field}-problem`}>
        {problems[field]}
      </small>
    );
  const described = (field: string) => (problems[field] ? { 'aria-invalid': true, 'aria-describedby': `audit-${field}-problem` } : {});

  return (
    <div className="page">
      <header className="page-header">
        <h1>Audit trail</h1>
        <p className="muted lead">
          Append-only. Each record carries the hash of the one before it, so an edit or deletion made outside Sightline breaks the chain.
        </p>
      </header>
      <ChainStatus />
      {/* Keyed by the filters: "Clear" (a link to /audit) then shows a fresh form, not the old choices. */}
      <form key={new URLSearchParams(raw).toString()} className={`filters panel ${styles.invalid}`} method="get" aria-label="Filter the audit trail">
        <label className="field">
          <span>Actor email</span>
          <input name="actor" type="search" defaultValue={raw.actor} placeholder="e.g. officer@" {...described('actor')} />
          {problem('actor')}
        </label>
        <label className="field">
          <span>Action</span>
          <select name="action" defaultValue={raw.action ?? ''} {...described('action')}>
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action} title={action}>
                {actionLabel(action)}
              </option>
            ))}
          </select>
          {problem('action')}
        </label>
        <label className="field">
          <span>From</span>
          <DayInput name="from" defaultValue={raw.from} {...described('from')} />
          {problem('from')}
        </label>
        <label className="field">
          <span>To</span>
          <DayInput name="to" defaultValue={raw.to} {...described('to')} />
          {problem('to')}
        </label>
        <div className="filter-actions">
          <button className="button primary" type="submit">
            Apply
          </button>
          <Link className="button" href="/audit">
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success && (
        <p className="form-error" role="alert">
          Filters not applied: fix the marked {Object.keys(problems).length === 1 ? 'field' : 'fields'}. All events are shown.
        </p>
      )}
      <p className="muted small" aria-live="polite">
        {plural(result.total, 'event')} · page {result.page} of {pages}
      </p>
      <AuditTable events={result.events} />
      {pages > 1 && (
        <nav className="pager" aria-label="Pages">
          {result.page > 1 ? <Link href={pageHref(result.page - 1)}>← Newer</Link> : <span />}
          {result.page < pages ? <Link href={pageHref(result.page + 1)}>Older →</Link> : <span />}
        </nav>
      )}
    </div>
  );
}
