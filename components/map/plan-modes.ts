/**
 * The plan map's editing modes and keyboard shortcuts, as data: the toolbar renders from it,
 * the key handler reads it, and the docs/tests can list it. No React here.
 */

export type PlanMode = 'select' | 'draw' | 'edit' | 'place';

export type PlanAction =
  | { type: 'mode'; mode: PlanMode }
  | { type: 'finish' }
  | { type: 'undo' }
  | { type: 'delete-vertex' }
  | { type: 'clear-zone' }
  | { type: 'cancel' }
  | { type: 'fit' };

export const MODE_BUTTONS: { mode: PlanMode; label: string; key: string }[] = [
  { mode: 'select', label: 'Select', key: 'V' },
  { mode: 'draw', label: 'Draw zone', key: 'D' },
  { mode: 'edit', label: 'Edit zone', key: 'E' },
  { mode: 'place', label: 'Place camera', key: 'C' },
];

/** Every shortcut, for the toolbar's help text and the README. `when` is the mode it works in. */
export const PLAN_SHORTCUTS: { keys: string; does: string; when?: PlanMode }[] = [
  { keys: 'V', does: 'Select and move cameras' },
  { keys: 'D', does: 'Draw the zone' },
  { keys: 'E', does: 'Edit the zone' },
  { keys: 'C', does: 'Place cameras' },
  { keys: 'F', does: 'Fit the view to the zone and cameras' },
  { keys: 'Enter', does: 'Finish the zone', when: 'draw' },
  { keys: 'Backspace', does: 'Remove the last point', when: 'draw' },
  { keys: 'Delete or Backspace', does: 'Delete the selected point', when: 'edit' },
  { keys: 'Esc', does: 'Cancel drawing, leave the mode, or deselect' },
];

/** Which action a key press means in a mode; null when it means nothing to the plan map. */
export function actionForKey(key: string, mode: PlanMode): PlanAction | null {
  switch (key.length === 1 ? key.toLowerCase() : key) {
    case 'v':
      return { type: 'mode', mode: 'select' };
    case 'd':
      return { type: 'mode', mode: 'draw' };
    case 'e':
      return { type: 'mode', mode: 'edit' };
    case 'c':
      return { type: 'mode', mode: 'place' };
    case 'f':
      return { type: 'fit' };
    case 'Enter':
      return mode === 'draw' ? { type: 'finish' } : null;
    case 'Backspace':
      return mode === 'draw' ? { type: 'undo' } : mode === 'edit' ? { type: 'delete-vertex' } : null;
    case 'Delete':
      return mode === 'edit' ? { type: 'delete-vertex' } : null;
    case 'Escape':
      return { type: 'cancel' };
    default:
      return null;
  }
}
