import type { Metadata } from 'next';
import Link from 'next/link';
import { AuditTable } from '@/components/audit/audit-table';
import { ChainStatus } from '@/components/audit/chain-status';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { listAuditEvents } from '@/lib/audit/data';
import { AuditQuerySchema } from '@/lib/audit/schema';
import { requirePagePermission } from '@/lib/auth/guards';
import { describeIssues } from '@/lib/http/route';

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

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  await requirePagePermission('audit:read');
  const raw = firstValues(await searchParams);
  const parsed = AuditQuerySchema.safeParse(raw);
  const query = parsed.success ? parsed.data : AuditQuerySchema.parse({});
  const result = await listAuditEvents(query);
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  const pageHref = (page: number) => `/audit?${new URLSearchParams({ ...raw, page: String(page) })}`;

  return (
    <div className="page">
      <header className="page-header">
        <h1>Audit trail</h1>
        <p className="muted lead">
          Append-only. Each record carries the hash of the one before it, so an edit or deletion made outside Sightline breaks the chain.
        </p>
      </header>
      <ChainStatus />
      <form className="filters panel" method="get" aria-label="Filter the audit trail">
        <label className="field">
          <span>Actor email</span>
          <input name="actor" type="search" defaultValue={raw.actor} placeholder="e.g. officer@" />
        </label>
        <label className="field">
          <span>Action</span>
          <select name="action" defaultValue={raw.action ?? ''}>
            <option value="">Any action</option>
            {AUDIT_ACTIONS.map((action) => (
              <option key={action} value={action}>
                {action}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>From</span>
          <input name="from" type="date" defaultValue={raw.from} />
        </label>
        <label className="field">
          <span>To</span>
          <input name="to" type="date" defaultValue={raw.to} />
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
          Filters ignored: {describeIssues(parsed.error)}
        </p>
      )}
      <p className="muted small" aria-live="polite">
        {result.total.toLocaleString('en-GB')} events · page {result.page} of {pages}
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
