'use client';

import type { PlanProblem } from '@/lib/deployments/schema';
import { fieldId, problemSentence } from './plan-draft';
import styles from './deployments.module.css';

/** What a plan needs before submission (docs/rules.md#plan-requirements), grouped as the officer thinks of it. */
const ITEMS: { label: string; fields: string[]; anchor: string }[] = [
  { label: 'Zone drawn on the map', fields: ['zone'], anchor: 'zone' },
  { label: 'Cameras placed inside the zone', fields: ['cameras'], anchor: 'cameras' },
  { label: 'Window: start and end', fields: ['startsAt', 'endsAt'], anchor: 'startsAt' },
  { label: 'Location rationale', fields: ['locationRationale'], anchor: 'locationRationale' },
  { label: 'Intelligence case', fields: ['intelligenceCase'], anchor: 'intelligenceCase' },
  { label: 'Necessity and proportionality', fields: ['necessityProportionality'], anchor: 'necessityProportionality' },
  { label: 'Watchlists', fields: ['watchlistIds'], anchor: 'watchlistIds' },
  { label: 'Categories', fields: ['categories'], anchor: 'categories' },
  { label: 'Face-match threshold', fields: ['threshold'], anchor: 'threshold' },
  { label: 'Signage confirmed', fields: ['signageConfirmed'], anchor: 'signageConfirmed' },
];

/** Problems that say more than "this is missing" (those the unticked line says already). */
const SAYS_MORE = /too short|outside|must|already|no longer|does not exist|not a lawful|at most/;

/**
 * A calm list of what submission needs, ticked off as the plan fills in. It never shouts: the
 * red inline errors appear only when the officer tries to submit.
 */
export function ReadinessChecklist({ problems }: { problems: PlanProblem[] }) {
  const done = ITEMS.filter((item) => !problems.some((p) => item.fields.includes(p.field))).length;
  return (
    <aside className={`panel ${styles.checklist}`} aria-labelledby="checklist-heading" data-testid="readiness">
      <h2 id="checklist-heading">Before submitting</h2>
      <p className="small muted" aria-live="polite">
        {done === ITEMS.length ? 'Everything submission needs is here.' : `${done} of ${ITEMS.length} ready.`}
      </p>
      <ul className={styles.checklistItems}>
        {ITEMS.map((item) => {
          const open = problems.filter((p) => item.fields.includes(p.field));
          const ok = open.length === 0;
          return (
            <li key={item.label} className={ok ? styles.checkDone : styles.checkOpen} data-ready={ok}>
              <span className={styles.checkMark} aria-hidden="true">
                {ok ? '✓' : '○'}
              </span>
              <span>
                <a href={`#${fieldId(item.anchor)}`}>{item.label}</a>
                <span className="visually-hidden">{ok ? ': ready' : ': still needed'}</span>
                {open
                  .filter((p) => SAYS_MORE.test(p.message))
                  .map((p) => (
                    <span key={p.message} className={styles.checkNote}>
                      {problemSentence(p)}
                    </span>
                  ))}
              </span>
            </li>
          );
        })}
      </ul>
    </aside>
  );
}
