'use client';

import { Bar, BarChart, CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCount, formatDuration, formatRate, formatShortDay } from './dashboard-format';
import styles from './dashboard.module.css';
import { plural } from '@/lib/format/plural';

/**
 * The dashboard's three charts (Recharts): faces processed and alerts per deployment, false alerts
 * per 1,000 faces over time against the force's target, and the median time to a decision over
 * time. Colours come from the theme's variables through the stylesheet (and turn black on white in
 * print). Each chart has a title and a text equivalent: a label saying what it shows, and its
 * figures in a table that screen readers read and sighted people never see.
 */

export type ChartRow = {
  id: string;
  name: string;
  startsAt: string | null;
  facesProcessed: number;
  alertsRaised: number;
  falseAlertsPer1000: number | null;
  medianDecisionMs: number | null;
};

type Props = { rows: ChartRow[]; targetPer1000: number; facesPerFalseAlert: number };

/** Bars for more deployments than this are too thin to read: the chart shows the latest. */
const MAX_BARS = 40;
const HEIGHT = 280;

const tooltipStyle = { background: 'var(--panel)', border: '1px solid var(--panel-border)', color: 'var(--text)', borderRadius: 8 };

function Figure({ id, title, summary, children, table }: { id: string; title: string; summary: string; children: React.ReactNode; table: React.ReactNode }) {
  return (
    <figure className={`panel ${styles.figure}`} aria-labelledby={`${id}-title`} data-testid={id}>
      <h2 id={`${id}-title`} className={styles.figureTitle}>
        {title}
      </h2>
      <div role="img" aria-label={summary} className={styles.chartBox}>
        {children}
      </div>
      <figcaption className="muted small">{summary}</figcaption>
      <table className="visually-hidden">
        <caption>{title}</caption>
        {table}
      </table>
    </figure>
  );
}

export function DashboardCharts({ rows, targetPer1000, facesPerFalseAlert }: Props) {
  const dated = rows.filter((r) => r.startsAt !== null).map((r) => ({ ...r, at: new Date(r.startsAt!).getTime() }));
  const bars = rows.slice(-MAX_BARS);
  const rates = dated.filter((r) => r.falseAlertsPer1000 !== null);
  const times = dated.filter((r) => r.medianDecisionMs !== null).map((r) => ({ ...r, medianMinutes: r.medianDecisionMs! / 60_000 }));
  const over = rates.filter((r) => r.falseAlertsPer1000! > targetPer1000).length;
  const timeDomain: [number, number] | undefined = dated.length ? [dated[0]!.at, dated[dated.length - 1]!.at] : undefined;
  const xTime = {
    dataKey: 'at',
    type: 'number' as const,
    scale: 'time' as const,
    domain: timeDomain ?? ['auto', 'auto'],
    tickFormatter: (v: number) => formatShortDay(v),
    className: styles.axis,
    minTickGap: 24,
  };

  return (
    <div className={styles.charts}>
      <Figure
        id="chart-volume"
        title="Faces processed and alerts per deployment"
        summary={
          bars.length < rows.length
            ? `Bars for the latest ${bars.length} of ${rows.length} deployments: faces processed (left scale) and alerts raised (right scale).`
            : `Bars for ${plural(rows.length, 'deployment')}: faces processed (left scale) and alerts raised (right scale).`
        }
        table={
          <>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Faces processed</th>
                <th scope="col">Alerts</th>
              </tr>
            </thead>
            <tbody>
              {bars.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{r.facesProcessed}</td>
                  <td>{r.alertsRaised}</td>
                </tr>
              ))}
            </tbody>
          </>
        }
      >
        <BarChart responsive style={{ width: '100%', height: HEIGHT }} data={bars} margin={{ top: 8, right: 8, bottom: 8, left: 8 }} accessibilityLayer={false}>
          <CartesianGrid className={styles.grid} vertical={false} />
          <XAxis dataKey="name" className={styles.axis} interval="preserveStartEnd" tickFormatter={(v: string) => (v.length > 14 ? `${v.slice(0, 13)}…` : v)} />
          <YAxis yAxisId="faces" className={styles.axis} tickFormatter={formatCount} width={64} />
          <YAxis yAxisId="alerts" orientation="right" className={styles.axis} allowDecimals={false} width={40} />
          <Tooltip contentStyle={tooltipStyle} cursor={{ fillOpacity: 0.08 }} />
          <Bar yAxisId="faces" dataKey="facesProcessed" name="Faces processed" className={styles.facesBar} isAnimationActive={false} />
          <Bar yAxisId="alerts" dataKey="alertsRaised" name="Alerts" className={styles.alertsBar} isAnimationActive={false} />
        </BarChart>
        <ul className={styles.legend} aria-hidden="true">
          <li>
            <span className={`${styles.swatch} ${styles.facesSwatch}`} /> Faces processed (left)
          </li>
          <li>
            <span className={`${styles.swatch} ${styles.alertsSwatch}`} /> Alerts (right)
          </li>
        </ul>
      </Figure>

      <Figure
        id="chart-false-alerts"
        title="False alerts per 1,000 faces, against the target"
        summary={
          rates.length
            ? `${plural(rates.length, 'deployment')} with faces processed, by planned start; ${over} above the target of ${formatRate(targetPer1000)} per 1,000 faces (1 in ${formatCount(facesPerFalseAlert)}).`
            : 'No deployment in this view processed any faces yet.'
        }
        table={
          <>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Planned start</th>
                <th scope="col">False alerts per 1,000 faces</th>
              </tr>
            </thead>
            <tbody>
              {rates.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{formatShortDay(r.at)}</td>
                  <td>{formatRate(r.falseAlertsPer1000)}</td>
                </tr>
              ))}
            </tbody>
          </>
        }
      >
        {/* Without a point the chart still draws its axes and the target, over the deployments' dates. */}
        <LineChart
          responsive
          style={{ width: '100%', height: HEIGHT }}
          data={rates.length ? rates : dated}
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
          accessibilityLayer={false}
        >
          <CartesianGrid className={styles.grid} vertical={false} />
          <XAxis {...xTime} />
          <YAxis
            className={styles.axis}
            width={56}
            tickFormatter={(v: number) => formatRate(v)}
            domain={[0, (max: number) => Math.max(Number.isFinite(max) ? max : 0, targetPer1000 * 1.2)]}
          />
          <Tooltip contentStyle={tooltipStyle} labelFormatter={(v) => formatShortDay(Number(v))} formatter={(v) => formatRate(Number(v))} />
          <ReferenceLine y={targetPer1000} className={styles.target} />
          <Line dataKey="falseAlertsPer1000" name="False alerts per 1,000 faces" className={styles.rateLine} isAnimationActive={false} dot={{ r: 3 }} />
        </LineChart>
        <ul className={styles.legend} aria-hidden="true">
          <li>
            <span className={`${styles.swatch} ${styles.rateSwatch}`} /> A deployment
          </li>
          <li>
            <span className={`${styles.swatch} ${styles.targetSwatch}`} /> Target, {formatRate(targetPer1000)} per 1,000
          </li>
        </ul>
      </Figure>

      <Figure
        id="chart-decision-time"
        title="Median time to a decision"
        summary={
          times.length
            ? `Median time from alert to first decision for ${plural(times.length, 'deployment')}, by planned start.`
            : 'No alert in this view has been decided yet.'
        }
        table={
          <>
            <thead>
              <tr>
                <th scope="col">Deployment</th>
                <th scope="col">Planned start</th>
                <th scope="col">Median time to decision</th>
              </tr>
            </thead>
            <tbody>
              {times.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{formatShortDay(r.at)}</td>
                  <td>{formatDuration(r.medianDecisionMs)}</td>
                </tr>
              ))}
            </tbody>
          </>
        }
      >
        <LineChart
          responsive
          style={{ width: '100%', height: HEIGHT }}
          data={times.length ? times : dated}
          margin={{ top: 8, right: 16, bottom: 8, left: 8 }}
          accessibilityLayer={false}
        >
          <CartesianGrid className={styles.grid} vertical={false} />
          <XAxis {...xTime} />
          <YAxis className={styles.axis} width={80} tickFormatter={(v: number) => formatDuration(v * 60_000)} />
          <Tooltip contentStyle={tooltipStyle} labelFormatter={(v) => formatShortDay(Number(v))} formatter={(v) => formatDuration(Number(v) * 60_000)} />
          <Line dataKey="medianMinutes" name="Median time to decision" className={styles.timeLine} isAnimationActive={false} dot={{ r: 3 }} />
        </LineChart>
      </Figure>
    </div>
  );
}
