import type { DeploymentStatus as StoredStatus } from '@/lib/deployments/state-machine';

/**
 * How each deployment status looks on maps and in lists. Plain data (no React, no Leaflet) so a
 * server-rendered list beside the map can reuse the same colours and words.
 *
 * Colour is never the only cue: every status also has a line pattern (live is the only solid
 * line; planned states are dashed; closed ones dotted) and the map labels each zone with its
 * status in words. Colours are chosen for ≥ 4.5:1 contrast on the theme background (#0b0f14).
 *
 * The statuses are the server's (lib/deployments/state-machine.ts) plus `rejected`, which the
 * server does not store (a rejected plan goes back to draft, with reasons): a page that wants to
 * show "draft, rejected" differently may pass `rejected` and it is drawn as such.
 */

export const MAP_STATUSES = ['draft', 'submitted', 'authorised', 'live', 'suspended', 'ended', 'cancelled', 'rejected'] as const;

export type MapStatus = (typeof MAP_STATUSES)[number];

// Stops compiling when the server gains a status that has no style here.
type Unstyled = Exclude<StoredStatus, MapStatus>;
const everyStoredStatusHasAStyle: [Unstyled] extends [never] ? true : Unstyled = true;
void everyStoredStatusHasAStyle;

export type LinePattern = 'solid' | 'dashed' | 'dash-dot' | 'dotted';

export type StatusStyle = {
  label: string;
  colour: string;
  pattern: LinePattern;
  /** SVG stroke-dasharray for the pattern at a 2–3 px line width; null for solid. */
  dashArray: string | null;
  /** planned: not yet running; active: running or paused; closed: finished one way or another. */
  phase: 'planned' | 'active' | 'closed';
};

const DASH: Record<LinePattern, string | null> = {
  solid: null,
  dashed: '8 6',
  'dash-dot': '10 5 2 5',
  dotted: '2 5',
};

function style(label: string, colour: string, pattern: LinePattern, phase: StatusStyle['phase']): StatusStyle {
  return { label, colour, pattern, dashArray: DASH[pattern], phase };
}

export const STATUS_STYLES: Record<MapStatus, StatusStyle> = {
  draft: style('Draft', '#9fb0c2', 'dashed', 'planned'),
  submitted: style('Submitted', '#c8a6ff', 'dashed', 'planned'),
  authorised: style('Authorised', '#4cc2ff', 'dashed', 'planned'),
  live: style('Live', '#3fd28a', 'solid', 'active'),
  suspended: style('Suspended', '#ffc857', 'dash-dot', 'active'),
  ended: style('Ended', '#8a99a8', 'dotted', 'closed'),
  cancelled: style('Cancelled', '#d2a08a', 'dotted', 'closed'),
  rejected: style('Rejected', '#ff6b6b', 'dotted', 'closed'),
};

/** Status → colour, for badges and list rows. */
export const STATUS_COLOURS: Record<MapStatus, string> = Object.fromEntries(MAP_STATUSES.map((s) => [s, STATUS_STYLES[s].colour])) as Record<MapStatus, string>;

export function isMapStatus(value: string): value is MapStatus {
  return (MAP_STATUSES as readonly string[]).includes(value);
}

/** The style for any status string; an unknown one (a newer server?) is shown neutrally, named as it is. */
export function statusStyle(status: string): StatusStyle {
  return isMapStatus(status) ? STATUS_STYLES[status] : style(status, '#9fb0c2', 'dashed', 'planned');
}
