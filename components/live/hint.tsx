import { useId } from 'react';
import styles from './live-grid.module.css';

type Props = {
  text: string;
  detail: string;
  className?: string;
  testId?: string;
  /**
   * A tab stop, so the detail shows on keyboard focus. Off for a second hint on the same camera
   * tile: sixteen tiles with two stops each would make the wall slow to cross by keyboard (the
   * detail is still read out as the words' description, and shown on hover).
   */
  focusable?: boolean;
};

/**
 * Words for the operator with the technical detail beside them: shown on hover and on keyboard
 * focus, and read out as the words' description.
 */
export function Hint({ text, detail, className, testId, focusable = true }: Props) {
  const id = useId();
  return (
    <span className={`${styles.hint} ${className ?? ''}`} tabIndex={focusable ? 0 : undefined} aria-describedby={id} data-testid={testId} data-detail={detail}>
      {text}
      <span role="tooltip" id={id} className={styles.tooltip}>
        {detail}
      </span>
    </span>
  );
}
