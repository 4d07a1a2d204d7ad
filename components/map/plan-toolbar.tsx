'use client';

import { MODE_BUTTONS, type PlanAction, type PlanMode } from './plan-modes';

type PlanToolbarProps = {
  mode: PlanMode;
  /** Modes the page supports (no onZoneChange: no zone tools; no onCameraAdd: no placing). */
  available: Record<PlanMode, boolean>;
  /** Modes that are available but cannot be used yet, with the reason shown as a tooltip. */
  blocked: Partial<Record<PlanMode, string>>;
  drawPoints: number;
  canFit: boolean;
  canDeleteVertex: boolean;
  onAction(action: PlanAction): void;
};

function Key({ children }: { children: string }) {
  return (
    <kbd className="sl-plan__key" aria-hidden="true">
      {children}
    </kbd>
  );
}

/**
 * The plan map's tools. Real buttons in a toolbar: reachable with Tab, each mode a toggle
 * (aria-pressed), each shortcut announced (aria-keyshortcuts) and shown. The actions that only
 * make sense in a mode (finish, undo, delete point) appear beside the tools in that mode.
 */
export function PlanToolbar({ mode, available, blocked, drawPoints, canFit, canDeleteVertex, onAction }: PlanToolbarProps) {
  return (
    <div className="sl-plan__toolbar" role="toolbar" aria-label="Map tools" data-testid="plan-map-toolbar">
      <div className="sl-plan__group">
        {MODE_BUTTONS.filter((b) => available[b.mode]).map((b) => (
          <button
            key={b.mode}
            type="button"
            className="sl-plan__tool"
            aria-pressed={mode === b.mode}
            aria-keyshortcuts={b.key}
            disabled={Boolean(blocked[b.mode])}
            title={blocked[b.mode] ?? `${b.label} (${b.key})`}
            data-testid={`plan-mode-${b.mode}`}
            onClick={() => onAction({ type: 'mode', mode: mode === b.mode && b.mode !== 'select' ? 'select' : b.mode })}
          >
            {b.label} <Key>{b.key}</Key>
          </button>
        ))}
      </div>

      {mode === 'draw' ? (
        <div className="sl-plan__group" role="group" aria-label="Drawing">
          <button
            type="button"
            className="sl-plan__tool is-primary"
            disabled={drawPoints < 3}
            aria-keyshortcuts="Enter"
            onClick={() => onAction({ type: 'finish' })}
          >
            Finish zone <Key>↵</Key>
          </button>
          <button type="button" className="sl-plan__tool" disabled={drawPoints === 0} aria-keyshortcuts="Backspace" onClick={() => onAction({ type: 'undo' })}>
            Undo point <Key>⌫</Key>
          </button>
          <button type="button" className="sl-plan__tool" aria-keyshortcuts="Escape" onClick={() => onAction({ type: 'cancel' })}>
            Cancel <Key>Esc</Key>
          </button>
        </div>
      ) : null}

      {mode === 'edit' ? (
        <div className="sl-plan__group" role="group" aria-label="Zone editing">
          <button
            type="button"
            className="sl-plan__tool"
            disabled={!canDeleteVertex}
            aria-keyshortcuts="Delete Backspace"
            title={canDeleteVertex ? 'Delete the selected point (Del)' : 'Select a point first (a zone keeps at least 3)'}
            onClick={() => onAction({ type: 'delete-vertex' })}
          >
            Delete point <Key>Del</Key>
          </button>
          <button type="button" className="sl-plan__tool is-danger" onClick={() => onAction({ type: 'clear-zone' })}>
            Delete zone
          </button>
        </div>
      ) : null}

      <div className="sl-plan__group sl-plan__group--end">
        <button
          type="button"
          className="sl-plan__tool"
          disabled={!canFit}
          aria-keyshortcuts="F"
          title="Fit the view to the zone and cameras (F)"
          onClick={() => onAction({ type: 'fit' })}
        >
          Fit <Key>F</Key>
        </button>
      </div>
    </div>
  );
}
