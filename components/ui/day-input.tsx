'use client';

import { useId, useState, type InputHTMLAttributes } from 'react';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const WORDS = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** "2026-12-05" → "5 December 2026", or null when it is not a real day. */
export function dayInWords(value: string): string | null {
  if (!DAY.test(value)) return null;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) || !date.toISOString().startsWith(value) ? null : WORDS.format(date);
}

type Props = Omit<InputHTMLAttributes<HTMLInputElement>, 'type'> & { defaultValue?: string; value?: string };

/**
 * A day typed as YYYY-MM-DD, read back in words beneath it. Instead of the browser's date input,
 * which shows mm/dd/yyyy in an American-English browser: 05/12 means two different days to two
 * officers; "2026-12-05 · 5 December 2026" means one.
 */
export function DayInput({ defaultValue, value, onChange, ...rest }: Props) {
  const [own, setOwn] = useState(defaultValue ?? '');
  const shown = value ?? own;
  const wordsId = useId();
  const words = dayInWords(shown);
  return (
    <>
      <input
        {...rest}
        type="text"
        inputMode="numeric"
        placeholder="YYYY-MM-DD"
        autoComplete="off"
        spellCheck={false}
        maxLength={10}
        value={shown}
        aria-describedby={[rest['aria-describedby'], wordsId].filter(Boolean).join(' ')}
        onChange={(event) => {
          setOwn(event.target.value);
          onChange?.(event);
        }}
      />
      <small id={wordsId} className="muted" data-testid="day-in-words">
        {words ?? (shown ? 'Not a real day: type it as YYYY-MM-DD' : 'YYYY-MM-DD')}
      </small>
    </>
  );
}
