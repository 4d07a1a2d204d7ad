'use client';

import type { ComponentProps } from 'react';
import { MIN_STATEMENT_LENGTH } from '@/lib/deployments/schema';
import { CATEGORIES, CATEGORY_LABELS, type Category } from '@/lib/watchlists/schema';
import { AccuracyFields } from './accuracy-fields';
import { Field, FieldError, describedBy } from './fields';
import { formatDuration, formatWindow, londonInputToIso } from './london-time';
import { WINDOW_HINT, fieldId, type FieldErrors, type PlanDraft } from './plan-draft';
import type { WatchlistOption } from './types';
import styles from './deployments.module.css';
import { plural } from '@/lib/format/plural';

type JustificationFieldsProps = {
  draft: PlanDraft;
  onChange(patch: Partial<PlanDraft>): void;
  errors: FieldErrors;
  /** null: the viewer may not list watchlists (the ids are kept as they are). */
  watchlists: WatchlistOption[] | null;
  /** The matching-accuracy section's own inputs (see AccuracyFields). */
  accuracy: Omit<ComponentProps<typeof AccuracyFields>, 'draft' | 'onChange' | 'errors' | 'disabled'>;
  disabled?: boolean;
};

const STATEMENTS = [
  {
    field: 'locationRationale',
    label: 'Location rationale',
    hint: 'Why people on the watchlist are expected at this place, at this time (Bridges §130). Not just “a busy place”.',
  },
  {
    field: 'intelligenceCase',
    label: 'Intelligence case',
    hint: 'The intelligence behind the deployment: what is known, from where, how recent.',
  },
  {
    field: 'necessityProportionality',
    label: 'Necessity and proportionality',
    hint: 'Why live facial recognition is needed here and why its intrusion on everyone passing is proportionate to what it should achieve.',
  },
] as const;

/**
 * The written half of a plan — name, window, the three statements, watchlists and their lawful
 * categories, the matching thresholds with their forecast, and the signage confirmation — as one keyboard-friendly form. Every
 * control has a visible label; hints and errors are tied to it with aria-describedby.
 */
export function JustificationFields({ draft, onChange, errors, watchlists, accuracy, disabled }: JustificationFieldsProps) {
  const id = fieldId;
  const duration = formatDuration(londonInputToIso(draft.startsLocal), londonInputToIso(draft.endsLocal));
  const chosen = (watchlists ?? []).filter((w) => draft.watchlistIds.includes(w.id));
  const inCategory = (c: Category) => chosen.reduce((n, w) => n + w.byCategory[c], 0);

  const toggle = (list: string[], value: string, on: boolean) => (on ? [...list, value] : list.filter((v) => v !== value));

  return (
    <fieldset className={styles.formSections} disabled={disabled}>
      <legend className="visually-hidden">Justification</legend>

      <section className={styles.formSection} aria-labelledby="just-basics">
        <h3 id="just-basics" className={styles.formSectionTitle}>
          Name and window
        </h3>
        <Field id={id('name')} label="Name" error={errors.name}>
          <input
            id={id('name')}
            value={draft.name}
            maxLength={120}
            autoComplete="off"
            aria-invalid={Boolean(errors.name) || undefined}
            aria-describedby={describedBy(id('name'), { error: errors.name })}
            onChange={(e) => onChange({ name: e.target.value })}
          />
        </Field>
        <div className={styles.twoUp}>
          <Field id={id('startsAt')} label="Window start" hint="London time, year-month-day hours:minutes" error={errors.startsAt}>
            <input
              id={id('startsAt')}
              type="text"
              inputMode="numeric"
              placeholder="2026-12-01 09:00"
              autoComplete="off"
              spellCheck={false}
              value={draft.startsLocal}
              aria-invalid={Boolean(errors.startsAt) || undefined}
              aria-describedby={describedBy(id('startsAt'), { hint: true, error: errors.startsAt })}
              onChange={(e) => onChange({ startsLocal: e.target.value })}
            />
          </Field>
          <Field id={id('endsAt')} label="Window end" hint="London time, year-month-day hours:minutes" error={errors.endsAt}>
            <input
              id={id('endsAt')}
              type="text"
              inputMode="numeric"
              placeholder="2026-12-01 13:00"
              autoComplete="off"
              spellCheck={false}
              value={draft.endsLocal}
              aria-invalid={Boolean(errors.endsAt) || undefined}
              aria-describedby={describedBy(id('endsAt'), { hint: true, error: errors.endsAt })}
              onChange={(e) => onChange({ endsLocal: e.target.value })}
            />
          </Field>
        </div>
        <p className={styles.hint} aria-live="polite" data-testid="window-summary">
          {duration ? (
            <>
              <strong className={styles.duration}>
                {formatWindow(londonInputToIso(draft.startsLocal), londonInputToIso(draft.endsLocal))}, London time · {duration}.
              </strong>{' '}
            </>
          ) : null}
          {WINDOW_HINT}
        </p>
      </section>

      <section className={styles.formSection} aria-labelledby="just-case">
        <h3 id="just-case" className={styles.formSectionTitle}>
          The case for deploying
        </h3>
        {STATEMENTS.map(({ field, label, hint }) => {
          const length = draft[field].trim().length;
          const error = errors[field];
          return (
            <Field key={field} id={id(field)} label={label} hint={hint} error={error}>
              <textarea
                id={id(field)}
                rows={4}
                value={draft[field]}
                maxLength={10_000}
                aria-invalid={Boolean(error) || undefined}
                aria-describedby={[describedBy(id(field), { hint, error }), `${id(field)}-count`].filter(Boolean).join(' ')}
                onChange={(e) => onChange({ [field]: e.target.value })}
              />
              <span id={`${id(field)}-count`} className={`${styles.counter} ${length > 0 && length < MIN_STATEMENT_LENGTH ? 'warn-text' : ''}`}>
                {plural(length, 'character')}
                {length < MIN_STATEMENT_LENGTH ? ` (at least ${MIN_STATEMENT_LENGTH})` : ''}
              </span>
            </Field>
          );
        })}
      </section>

      <section className={styles.formSection} aria-labelledby="just-who">
        <h3 id="just-who" className={styles.formSectionTitle}>
          Who is looked for
        </h3>
        <fieldset
          id={id('watchlistIds')}
          tabIndex={-1}
          className={`${styles.choiceGroup} ${errors.watchlistIds ? styles.fieldInvalid : ''}`}
          aria-describedby={describedBy(id('watchlistIds'), { error: errors.watchlistIds })}
        >
          <legend>Watchlists</legend>
          {watchlists === null ? (
            <p className="muted small">{plural(draft.watchlistIds.length, 'watchlist')} chosen (your role cannot list watchlists).</p>
          ) : watchlists.length === 0 ? (
            <p className="muted small">No watchlists exist yet: an admin creates them.</p>
          ) : (
            watchlists.map((w) => (
              <label key={w.id} className={styles.choice}>
                <input
                  type="checkbox"
                  checked={draft.watchlistIds.includes(w.id)}
                  onChange={(e) => onChange({ watchlistIds: toggle(draft.watchlistIds, w.id, e.target.checked) })}
                />
                <span>
                  {w.name} <span className="muted small">· {plural(w.entryCount, 'person')}</span>
                </span>
              </label>
            ))
          )}
          {/* A watchlist chosen earlier and deleted since: shown so it can be removed. */}
          {watchlists !== null
            ? draft.watchlistIds
                .filter((wid) => !watchlists.some((w) => w.id === wid))
                .map((wid) => (
                  <label key={wid} className={styles.choice}>
                    <input type="checkbox" checked onChange={() => onChange({ watchlistIds: toggle(draft.watchlistIds, wid, false) })} />
                    <span className="warn-text">A watchlist that no longer exists ({wid})</span>
                  </label>
                ))
            : null}
          <FieldError id={id('watchlistIds')} error={errors.watchlistIds} />
        </fieldset>

        <fieldset
          id={id('categories')}
          tabIndex={-1}
          className={`${styles.choiceGroup} ${errors.categories ? styles.fieldInvalid : ''}`}
          aria-describedby={[`${id('categories')}-hint`, errors.categories ? `${id('categories')}-error` : ''].filter(Boolean).join(' ')}
        >
          <legend>Categories</legend>
          <p id={`${id('categories')}-hint`} className={styles.hint}>
            Only these lawful categories exist. The deployment looks for people on the chosen watchlists in the chosen categories only.
          </p>
          {CATEGORIES.map((c) => (
            <label key={c} className={styles.choice}>
              <input
                type="checkbox"
                checked={draft.categories.includes(c)}
                onChange={(e) => onChange({ categories: toggle(draft.categories, c, e.target.checked) })}
              />
              <span>
                {CATEGORY_LABELS[c]}
                {chosen.length > 0 ? (
                  <span className="muted small">
                    {' '}
                    · {inCategory(c)} on the chosen watchlist{chosen.length === 1 ? '' : 's'}
                  </span>
                ) : null}
              </span>
            </label>
          ))}
          <FieldError id={id('categories')} error={errors.categories} />
        </fieldset>
      </section>

      <AccuracyFields draft={draft} onChange={onChange} errors={errors} disabled={disabled} {...accuracy} />

      <section className={styles.formSection} aria-labelledby="just-notice">
        <h3 id="just-notice" className={styles.formSectionTitle}>
          Public notice
        </h3>
        <div className={`${styles.signage} ${errors.signageConfirmed ? styles.fieldInvalid : ''}`}>
          <label className={styles.choice} htmlFor={id('signageConfirmed')}>
            <input
              id={id('signageConfirmed')}
              type="checkbox"
              checked={draft.signageConfirmed}
              aria-invalid={Boolean(errors.signageConfirmed) || undefined}
              aria-describedby={describedBy(id('signageConfirmed'), { hint: true, error: errors.signageConfirmed })}
              onChange={(e) => onChange({ signageConfirmed: e.target.checked })}
            />
            <span>Public notice (signage) is in place</span>
          </label>
          <p id={`${id('signageConfirmed')}-hint`} className={styles.hint}>
            Signs telling the public that live facial recognition is in use will be up at the zone before it goes live.
          </p>
          <FieldError id={id('signageConfirmed')} error={errors.signageConfirmed} />
        </div>
      </section>
    </fieldset>
  );
}
