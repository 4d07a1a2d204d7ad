import { useId } from 'react';
import styles from './live-grid.module.css';

/**
 * Words for the operator with the technical detail beside them: shown on hover and on keyboard
 * focus (the words are a tab stop), and read out as the words' description.
 */
export function Hint({ text, detail, className, testId }: { text: string; detail: string; className?: string; testId?: string }) {
  const id = useId();
  return (
    <span className={`${styles.hint} ${className ?? ''}`} tabIndex={0} aria-describedby={id} data-testid={testId} data-detail={detail}>
      {text}
      <span role="tooltip" id={id} className={styles.tooltip}>
        {detail}
      </span>
    </span>
  );
}
