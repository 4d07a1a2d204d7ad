import { describe, expect, it } from 'vitest';
import { actionLabel, subjectLabel } from '@/components/audit/action-words';
import { dayInWords } from '@/components/ui/day-input';
import { checkEntry, groupProblems, plainProblem } from '@/components/watchlists/entry-problems';
import { AUDIT_ACTIONS } from '@/lib/audit/actions';
import { plural } from '@/lib/format/plural';

describe('plural', () => {
  it('says 1 person and 2 people, with irregular and regular nouns and grouped digits', () => {
    expect(plural(1, 'person')).toBe('1 person');
    expect(plural(0, 'person')).toBe('0 people');
    expect(plural(2, 'person')).toBe('2 people');
    expect(plural(1, 'alert')).toBe('1 alert');
    expect(plural(1204, 'camera')).toBe('1,204 cameras');
    expect(plural(1, 'entry', 'entries')).toBe('1 entry');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
});

describe('watchlist entry problems in plain words', () => {
  const shared = { imageSource: '', legalBasis: '', imageTakenOn: '2026-01-10', reviewBy: '2027-01-10', notes: '' };

  it('splits the server schema’s issues into the shared fields (once) and the row’s own, without field codes', () => {
    const issues = checkEntry({ ...shared, reference: '', name: '', category: 'wanted_by_court' });
    expect(Object.keys(issues.shared).sort()).toEqual(['imageSource', 'legalBasis']);
    expect(Object.keys(issues.row).sort()).toEqual(['name', 'reference']);
    const all = [...Object.values(issues.shared), ...Object.values(issues.row)].join(' ');
    expect(all).not.toMatch(/imageSource|legalBasis|reference:|is required/);
    expect(issues.shared.imageSource).toBe('Say where the photos came from (e.g. a custody record number).');
    expect(issues.row.name).toBe('Type the person’s name.');
  });

  it('keeps one message per field when the server repeats it for every photo', () => {
    const row = [
      { path: 'imageSource', message: 'imageSource is required' },
      { path: 'reference', message: 'reference is required' },
    ];
    const problems = groupProblems([...row, ...row, ...row]);
    expect(problems.shared).toEqual({ imageSource: 'Say where the photos came from (e.g. a custody record number).' });
    expect(problems.row).toEqual({ reference: 'Give a reference (the warrant or case number).' });
  });

  it('words date problems and replaces field codes in other messages with labels', () => {
    expect(plainProblem({ path: 'reviewBy', message: 'reviewBy must be after imageTakenOn' })).toBe(
      'The review date must be after the date the photos were taken.',
    );
    expect(plainProblem({ path: 'name', message: 'name is at most 160 characters' })).toBe('Name is at most 160 characters.');
    expect(
      checkEntry({ ...shared, imageSource: 's', legalBasis: 'l', reviewBy: '2025-01-01', reference: 'R1', name: 'A', category: 'wanted_by_court' }).shared,
    ).toEqual({
      reviewBy: 'The review date must be after the date the photos were taken.',
    });
    expect(checkEntry({ ...shared, imageSource: 's', legalBasis: 'l', reference: 'R1', name: 'A', category: 'risk_of_harm' })).toEqual({
      shared: {},
      row: {},
    });
  });
});

describe('audit words', () => {
  it('reads action codes and subject types as words', () => {
    expect(actionLabel('user.role_changed')).toBe('User role changed');
    expect(actionLabel('auth.sign_in_failed')).toBe('Sign-in failed');
    expect(actionLabel('watchlist_entry.created')).toBe('Watchlist entry created');
    expect(actionLabel('api_key.refused')).toBe('API key refused');
    expect(subjectLabel('watchlist_entry')).toBe('Watchlist entry');
    expect(subjectLabel('reference_image')).toBe('Reference photo');
  });

  it('gives every audited action its own words, none a raw code', () => {
    const labels = AUDIT_ACTIONS.map(actionLabel);
    expect(new Set(labels).size).toBe(AUDIT_ACTIONS.length);
    for (const label of labels) expect(label).not.toMatch(/[._]/);
  });
});

describe('days typed as YYYY-MM-DD', () => {
  it('reads a real day back in words and refuses what is not one', () => {
    expect(dayInWords('2026-12-05')).toBe('5 December 2026');
    expect(dayInWords('2026-02-30')).toBeNull();
    expect(dayInWords('12/05/2026')).toBeNull();
  });
});
