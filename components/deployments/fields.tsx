'use client';

import { useState, type ReactNode } from 'react';
import styles from './deployments.module.css';

/**
 * Form pieces shared by the plan editor's sections: a labelled field with its hint and its
 * inline error (announced through aria-describedby and aria-invalid), and a number input that
 * lets a person type freely ("0.", "-") while handing the editor numbers only.
 */

export function describedBy(id: string, { hint, error }: { hint?: ReactNode; error?: string | null }): string | undefined {
  return [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
}

export function FieldError({ id, error }: { id: string; error?: string | null }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} className={styles.fieldError} data-testid="field-error">
      <span aria-hidden="true">⚠ </span>
      {error}
    </p>
  );
}

type FieldProps = {
  id: string;
  label: ReactNode;
  hint?: ReactNode;
  error?: string | null;
  className?: string;
  children: ReactNode;
};

/** A label, the control, a hint and an error, stacked. The control sets its own id and aria-*. */
export function Field({ id, label, hint, error, className, children }: FieldProps) {
  return (
    <div className={['field', styles.field, error ? styles.fieldInvalid : '', className].filter(Boolean).join(' ')}>
      <label htmlFor={id}>{label}</label>
      {hint ? (
        <p id={`${id}-hint`} className={styles.hint}>
          {hint}
        </p>
      ) : null}
      {children}
      <FieldError id={id} error={error} />
    </div>
  );
}

type NumberInputProps = {
  id: string;
  value: number;
  /** A finite number, or NaN while the text is not one (the editor shows why). */
  onValue(value: number): void;
  step?: number | 'any';
  min?: number;
  max?: number;
  invalid?: boolean;
  describedBy?: string;
  readOnly?: boolean;
  className?: string;
  /** Shown to at most this many decimals (positions: 6, about 0.1 m); the value itself is not rounded until edited. */
  places?: number;
};

const display = (value: number, places?: number) =>
  Number.isFinite(value) ? (places === undefined ? String(value) : String(Math.round(value * 10 ** places) / 10 ** places)) : '';

/**
 * A number field that keeps what is typed until it is a number, and follows the value when it
 * changes elsewhere (a camera dragged on the map updates its heading field at once).
 */
export function NumberInput({ id, value, onValue, step = 'any', min, max, invalid, describedBy: described, readOnly, className, places }: NumberInputProps) {
  const [text, setText] = useState(display(value, places));
  const [shown, setShown] = useState(value);
  if (!Object.is(value, shown)) {
    setShown(value);
    if (Number.isFinite(value) && Number(text) !== value) setText(display(value, places));
  }
  return (
    <input
      id={id}
      type="number"
      inputMode="decimal"
      className={className}
      value={text}
      step={step}
      min={min}
      max={max}
      readOnly={readOnly}
      aria-invalid={invalid || undefined}
      aria-describedby={described}
      onChange={(e) => {
        const next = e.target.value;
        setText(next);
        const n = next.trim() === '' ? NaN : Number(next);
        onValue(Number.isFinite(n) ? n : NaN);
      }}
    />
  );
}
