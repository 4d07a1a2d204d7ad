'use client';

import Link from 'next/link';
import { useRef, useState } from 'react';
import { DeploymentsOverviewMap, type OverviewDeployment } from '@/components/map';
import { formatDuration, formatWindow, londonDay } from './london-time';
import { StatusBadge } from './status-badge';
import type { DeploymentSummary } from './types';
import styles from './deployments.module.css';
import { plural } from '@/lib/format/plural';

type Arrangement = 'stage' | 'date';
type Group = { key: string; title: string; note?: string; items: DeploymentSummary[] };

const startOf = (d: DeploymentSummary) => (d.startsAt ? new Date(d.startsAt).getTime() : Number.POSITIVE_INFINITY);

/** By what needs doing: decisions first, then what is running, then what is coming, then the past. */
function byStage(deployments: DeploymentSummary[]): Group[] {
  const of = (...statuses: string[]) => deployments.filter((d) => statuses.includes(d.status));
  return [
    {
      key: 'decide',
      title: 'Awaiting a decision',
      note: 'Submitted plans: a senior officer who did not write one must authorise or reject it.',
      items: of('submitted'),
    },
    { key: 'now', title: 'Live and suspended', items: of('live', 'suspended') },
    {
      key: 'next',
      title: 'Coming up',
      note: 'Authorised plans and drafts, soonest first.',
      items: of('authorised', 'draft').sort((a, b) => startOf(a) - startOf(b)),
    },
    { key: 'past', title: 'Finished', items: of('ended', 'cancelled').sort((a, b) => startOf(b) - startOf(a)) },
  ].filter((g) => g.items.length > 0);
}

/** A timeline: one group per London day of the window's start, in date order; plans without a window last. */
function byDate(deployments: DeploymentSummary[], today: string | null): Group[] {
  const days = new Map<string, DeploymentSummary[]>();
  const undated: DeploymentSummary[] = [];
  for (const d of [...deployments].sort((a, b) => startOf(a) - startOf(b))) {
    if (!d.startsAt) undated.push(d);
    else days.set(londonDay(d.startsAt), [...(days.get(londonDay(d.startsAt)) ?? []), d]);
  }
  const groups: Group[] = [...days.entries()].map(([day, items]) => ({ key: day, title: dayTitle(day, today), items }));
  if (undated.length) groups.push({ key: 'undated', title: 'No window set yet', items: undated });
  return groups;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function dayTitle(day: string, today: string | null): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  const words = `${WEEKDAYS[date.getUTCDay()]} ${d} ${MONTHS[m - 1]} ${y}`;
  if (!today) return words;
  const diff = Math.round((date.getTime() - new Date(`${today}T00:00:00Z`).getTime()) / 86_400_000);
  return diff === 0 ? `Today · ${words}` : diff === 1 ? `Tomorrow · ${words}` : diff === -1 ? `Yesterday · ${words}` : words;
}

type DeploymentsOverviewProps = {
  deployments: DeploymentSummary[];
  /** Today's date in London ("2026-11-26"), from the server, so server and browser agree. */
  today: string;
};

/**
 * Every deployment this viewer may see, on the map and in a list beside it. Hovering or
 * focusing a row picks out its zone on the map; choosing a zone on the map picks out its row.
 * The list can be arranged by stage (what needs doing) or by date (a timeline of windows).
 */
export function DeploymentsOverview({ deployments, today }: DeploymentsOverviewProps) {
  const [arrangement, setArrangement] = useState<Arrangement>('stage');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const groups = arrangement === 'stage' ? byStage(deployments) : byDate(deployments, today);
  const selected = deployments.find((d) => d.id === selectedId) ?? null;
  const onMap: OverviewDeployment[] = deployments.map((d) => ({ id: d.id, name: d.name, status: d.status, zone: d.zone, cameras: d.cameras }));
  const unplaced = deployments.filter((d) => !d.zone).length;

  function selectFromMap(id: string) {
    setSelectedId(id);
    const row = listRef.current?.querySelector<HTMLElement>(`[data-deployment-id="${CSS.escape(id)}"]`);
    row?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }

  return (
    <div className={styles.overviewGrid}>
      <div className={styles.listColumn} ref={listRef}>
        <div className={styles.arrange} role="group" aria-label="Arrange the list">
          <button type="button" className={styles.segment} aria-pressed={arrangement === 'stage'} onClick={() => setArrangement('stage')}>
            By stage
          </button>
          <button type="button" className={styles.segment} aria-pressed={arrangement === 'date'} onClick={() => setArrangement('date')}>
            Timeline
          </button>
        </div>
        {groups.map((group) => (
          <section key={group.key} className={styles.group} aria-labelledby={`group-${group.key}`}>
            <h2 id={`group-${group.key}`} className={styles.groupTitle}>
              {group.title} <span className={styles.groupCount}>{group.items.length}</span>
            </h2>
            {group.note ? <p className={styles.groupNote}>{group.note}</p> : null}
            <ul className={styles.rows}>
              {group.items.map((d) => {
                const duration = formatDuration(d.startsAt, d.endsAt);
                return (
                  <li
                    key={d.id}
                    className={`${styles.row} ${d.id === selectedId ? styles.rowActive : ''}`}
                    data-testid="deployment-row"
                    data-deployment-id={d.id}
                    data-status={d.status}
                    onMouseEnter={() => setSelectedId(d.id)}
                  >
                    <div className={styles.rowTop}>
                      <Link href={`/deployments/${d.id}`} className={styles.rowLink} onFocus={() => setSelectedId(d.id)}>
                        {d.name}
                      </Link>
                      <StatusBadge status={d.status} />
                    </div>
                    <p className={styles.rowMeta}>
                      <span>{formatWindow(d.startsAt, d.endsAt)}</span>
                      {duration ? <span className="muted"> · {duration}</span> : null}
                    </p>
                    <p className={styles.rowMeta}>
                      <span className="muted">
                        {plural(d.cameraCount, 'camera')} · planned by {d.planner.name}
                        {d.authoriser ? ` · authorised by ${d.authoriser.name}` : ''}
                        {!d.zone ? ' · no zone yet' : ''}
                      </span>
                    </p>
                  </li>
                );
              })}
            </ul>
          </section>
        ))}
      </div>
      <div className={styles.mapColumnSticky}>
        <DeploymentsOverviewMap deployments={onMap} selectedId={selectedId} onSelect={selectFromMap} height={620} label="Map of deployments" />
        <div className={styles.mapFoot} aria-live="polite">
          {selected ? (
            <p>
              <StatusBadge status={selected.status} /> <strong>{selected.name}</strong>{' '}
              <span className="muted">· {formatWindow(selected.startsAt, selected.endsAt)}</span>{' '}
              <Link href={`/deployments/${selected.id}`}>Open the plan →</Link>
            </p>
          ) : (
            <p className="muted small">
              Choose a zone on the map or a row in the list.
              {unplaced === 1
                ? ' One plan has no zone yet: it is in the list only.'
                : unplaced > 1
                  ? ` ${plural(unplaced, 'plan')} have no zone yet: they are in the list only.`
                  : ''}
            </p>
          )}
        </div>
      </div>
    </div>
  );
}
