import type { CameraLeaseView } from '@/lib/realtime/events';
import type { TileAnalysis } from './types';

/**
 * Where the words are read: the live page itself, the home page for someone who watches live
 * cameras (live:view), or the home page for someone who only reads deployments (an auditor, who
 * can neither open the live page nor start an agent).
 */
export type HealthAudience = 'live-page' | 'watcher' | 'reader';

type Health = Pick<CameraLeaseView, 'warnings'> & { holder: Pick<NonNullable<CameraLeaseView['holder']>, 'kind'> | null };

/**
 * A camera's health warnings (lib/live/leases.ts) in an operator's words: the live page's banner
 * and the home page's overview. Both are live regions, so the words change only when the warnings
 * do: no detection rate, no source's reason (a browser's reason counts seconds); the tile says those.
 */
export function healthWords(lease: Health, audience: HealthAudience): string {
  return lease.warnings
    .map((warning) => {
      switch (warning) {
        case 'no_analyser':
          return audience === 'watcher'
            ? 'nobody has analysed it for over a minute: open its live page or start the camera agent'
            : audience === 'live-page'
              ? 'nobody has analysed it for over a minute: show it on a screen that can read it, or start the camera agent'
              : 'nobody has analysed it for over a minute';
        case 'slow_analysis':
          return 'analysed under once a second, so faces may be missed';
        case 'source_down':
          return `${readerOf(lease.holder?.kind)} cannot read its picture`;
      }
    })
    .join('; ');
}

function readerOf(kind: NonNullable<CameraLeaseView['holder']>['kind'] | undefined): string {
  switch (kind) {
    case 'agent':
      return 'the camera agent';
    case 'browser':
      return 'the screen analysing it';
    case 'http':
      return 'the system analysing it';
    default:
      return 'its analyser';
  }
}

/** Who analyses a tile's camera, in an operator's words (docs/architecture.md#camera-leases). */
export function analyserWords(analysis: TileAnalysis): string {
  const name = analysis.name ? ` (${analysis.name})` : '';
  if (analysis.sourceDown) {
    const reason = analysis.reason ? `: ${analysis.reason}` : '';
    switch (analysis.analyser) {
      case 'self':
        return `This screen cannot read this camera${reason}`;
      case 'browser':
        return `Another screen cannot read this camera${reason}`;
      case 'agent':
        return `The camera agent cannot read this camera${reason}`;
      case 'http':
        return `Another system cannot read this camera${reason}`;
    }
  }
  switch (analysis.analyser) {
    case 'checking':
      return 'Checking who analyses this camera…';
    case 'disconnected':
      return 'Not connected — who analyses this camera is unknown';
    case 'self':
      return 'Analysed by this screen';
    case 'browser':
      return `Analysed by another screen${name}`;
    case 'agent':
      return `Analysed by the camera agent${name}`;
    case 'http':
      return `Analysed by another system${name}`;
    case 'none':
      return 'Not analysed by anyone';
  }
}

/** Whether the tile's note is a warning (coloured), rather than neutral news. */
export function analyserNeedsAttention(analysis: TileAnalysis): boolean {
  if (analysis.analyser === 'checking') return false;
  return analysis.sourceDown || analysis.warnings.length > 0 || analysis.analyser === 'none' || analysis.analyser === 'disconnected';
}

/**
 * What a tile says of its camera's analyser, from the lease table (null: not received yet), this
 * socket's id and whether it is connected. Only a connected screen holding the lease analyses.
 */
export function tileAnalysisOf(lease: CameraLeaseView | undefined, table: 'unknown' | 'known', socketId: string | null, connected: boolean): TileAnalysis {
  if (!connected) return { analyse: false, analyser: 'disconnected', name: null, warnings: [], sourceDown: false, reason: null };
  if (table === 'unknown') return { analyse: false, analyser: 'checking', name: null, warnings: [], sourceDown: false, reason: null };
  const holder = lease?.holder ?? null;
  const self = holder !== null && socketId !== null && holder.analyserId === socketId;
  return {
    analyse: self,
    analyser: self ? 'self' : (holder?.kind ?? 'none'),
    name: holder?.name ?? null,
    warnings: lease?.warnings ?? [],
    sourceDown: holder !== null && lease?.state === 'source_down',
    reason: lease?.reason ?? null,
  };
}
