import { MAP_STATUSES, STATUS_STYLES, type MapStatus } from './status-styles';
import './map.css';

type StatusLegendProps = {
  /** Which statuses to list, in this order (default: all). */
  statuses?: readonly MapStatus[];
  title?: string;
  /** 'row' wraps the entries in a line (under a list); 'column' stacks them (over a map). */
  layout?: 'row' | 'column';
  className?: string;
};

/**
 * The key to deployment statuses: each status's line colour and pattern next to its name.
 * No hooks and no Leaflet, so it renders on the server too (e.g. beside the deployments list).
 */
export function StatusLegend({ statuses = MAP_STATUSES, title = 'Deployment status', layout = 'column', className }: StatusLegendProps) {
  return (
    <figure className={['sl-legend', `sl-legend--${layout}`, className].filter(Boolean).join(' ')} data-testid="status-legend">
      <figcaption className="sl-legend__title">{title}</figcaption>
      <ul className="sl-legend__list">
        {statuses.map((status) => {
          const s = STATUS_STYLES[status];
          return (
            <li key={status} className="sl-legend__item" data-status={status}>
              <svg className="sl-legend__swatch" viewBox="0 0 28 10" width="28" height="10" aria-hidden="true">
                <line
                  x1="1"
                  y1="5"
                  x2="27"
                  y2="5"
                  stroke={s.colour}
                  strokeWidth={s.phase === 'active' ? 3 : 2}
                  strokeDasharray={s.dashArray ?? undefined}
                  strokeLinecap="round"
                />
              </svg>
              <span>{s.label}</span>
            </li>
          );
        })}
      </ul>
    </figure>
  );
}
