import type { z } from 'zod';
import { EntryInputSchema } from '@/lib/watchlists/schema';

/**
 * Turns the entry schema's problems (the server's 422 `details.issues`, or the same schema run in
 * the browser before sending) into plain words for the "Add people" panel: the shared fields'
 * problems once, beside those fields, and each photo's own (reference, name, category) on its row.
 * Pure, so it is unit-tested.
 */

export const SHARED_FIELDS = ['imageSource', 'legalBasis', 'imageTakenOn', 'reviewBy', 'notes'] as const;
export const ROW_FIELDS = ['reference', 'name', 'category'] as const;
export type SharedField = (typeof SHARED_FIELDS)[number];
export type RowField = (typeof ROW_FIELDS)[number];

export const FIELD_LABELS: Record<SharedField | RowField, string> = {
  reference: 'Reference',
  name: 'Name',
  category: 'Category',
  imageSource: 'Image source',
  legalBasis: 'Legal basis',
  imageTakenOn: 'Image taken on',
  reviewBy: 'Review by',
  notes: 'Notes',
};

/** What an admin should do, per field, when it is missing. */
const MISSING: Record<SharedField | RowField, string> = {
  reference: 'Give a reference (the warrant or case number).',
  name: 'Type the person’s name.',
  category: 'Choose a category.',
  imageSource: 'Say where the photos came from (e.g. a custody record number).',
  legalBasis: 'Give the legal basis for holding these photos.',
  imageTakenOn: 'Give the date the photos were taken.',
  reviewBy: 'Give a date by which these entries must be reviewed.',
  notes: 'Check the notes.',
};

export type Issue = { path: string; message: string };
export type Problems = { shared: Partial<Record<SharedField, string>>; row: Partial<Record<RowField, string>> };

const isShared = (field: string): field is SharedField => (SHARED_FIELDS as readonly string[]).includes(field);
const isRow = (field: string): field is RowField => (ROW_FIELDS as readonly string[]).includes(field);

/** One problem in plain words: field codes become their labels; "is required" becomes what to do. */
export function plainProblem(issue: Issue): string {
  const field = issue.path.split('.')[0] ?? '';
  if ((isShared(field) || isRow(field)) && /\bis required\b/.test(issue.message)) return MISSING[field];
  if (field === 'reviewBy' && /must be after/.test(issue.message)) return 'The review date must be after the date the photos were taken.';
  if (field === 'imageTakenOn' && /future/.test(issue.message)) return 'The date the photos were taken cannot be in the future.';
  if (field === 'category') return 'Choose one of the listed categories.';
  let text = issue.message;
  for (const [code, label] of Object.entries(FIELD_LABELS)) text = text.replace(new RegExp(`\\b${code}\\b`, 'g'), label);
  text = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** The issues split into shared-field and row-field problems, the first message per field kept. */
export function groupProblems(issues: readonly Issue[]): Problems {
  const problems: Problems = { shared: {}, row: {} };
  for (const issue of issues) {
    const field = issue.path.split('.')[0] ?? '';
    if (isShared(field)) problems.shared[field] ??= plainProblem(issue);
    else if (isRow(field)) problems.row[field] ??= plainProblem(issue);
  }
  return problems;
}

/** Checks one row with the shared fields against the server's own schema, before anything is sent. */
export function checkEntry(fields: Record<SharedField | RowField, string>): Problems {
  const result = EntryInputSchema.safeParse(fields);
  return result.success ? { shared: {}, row: {} } : groupProblems(issuesOf(result.error));
}

const issuesOf = (error: z.ZodError): Issue[] => error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
