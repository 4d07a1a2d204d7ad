import { z } from 'zod';
import { londonDay } from '@/lib/time/london';
import { freeText, nameText } from '@/lib/validation/text';

/**
 * The closed list of watchlist categories (docs/rules.md#watchlist-categories; Bridges §124
 * found "anyone of interest" unlawful). Nothing outside this list can be stored or searched for.
 */
export const CATEGORIES = ['wanted_by_court', 'suspect_serious_offence', 'missing_vulnerable', 'risk_of_harm'] as const;
export type Category = (typeof CATEGORIES)[number];

export const CATEGORY_LABELS: Record<Category, string> = {
  wanted_by_court: 'Wanted by the courts',
  suspect_serious_offence: 'Suspected of a serious offence',
  missing_vulnerable: 'Missing or vulnerable person',
  risk_of_harm: 'Risk of harm to self or others',
};

export const CategorySchema = z.enum(CATEGORIES, { message: `category must be one of: ${CATEGORIES.join(', ')}` });

/** Distance under which a new image is reported as probably the same person as an existing entry. */
export const DUPLICATE_DISTANCE = 0.45;

/** A required name that identifies something (see lib/validation/text.ts). */
const name = (field: string, max: number) => nameText(field).min(1, `${field} is required`).max(max, `${field} is at most ${max} characters`);
/** A required statement (where an image came from, its legal basis). */
const statement = (field: string, max: number) =>
  freeText(field, `${field} is required`).min(1, `${field} is required`).max(max, `${field} is at most ${max} characters`);
const notes = (field: string) => freeText(field).max(2000, `${field} is at most 2000 characters`);

const day = (field: string) =>
  z
    .string({ message: `${field} is required (YYYY-MM-DD)` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, `${field} must be a date as YYYY-MM-DD`)
    .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v), {
      message: `${field} is not a real date`,
    })
    .transform((v) => new Date(`${v}T00:00:00.000Z`));

export const WatchlistInputSchema = z
  .object({
    name: name('name', 120),
    description: notes('description').default(''),
  })
  .strict();

export const WatchlistUpdateSchema = z
  .object({ name: name('name', 120).optional(), description: notes('description').optional() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change: send name or description' });

const entryShape = {
  reference: name('reference', 80),
  name: name('name', 160),
  category: CategorySchema,
  imageSource: statement('imageSource', 300),
  legalBasis: statement('legalBasis', 500),
  imageTakenOn: day('imageTakenOn'),
  reviewBy: day('reviewBy'),
  notes: notes('notes').default(''),
};

// zod runs object refinements even when a field failed (with the raw value), so these check
// that both dates parsed before comparing them.
const isDate = (value: unknown): value is Date => value instanceof Date;

/** A day is in the future when it comes after today in London (where the forms say "today"). */
function imageNotInFuture(entry: { imageTakenOn?: unknown }) {
  return !isDate(entry.imageTakenOn) || entry.imageTakenOn.toISOString().slice(0, 10) <= londonDay(new Date().toISOString());
}

/** The text fields of a new entry (multipart form fields; images are validated separately). */
export const EntryInputSchema = z
  .object(entryShape)
  .strict()
  .refine(imageNotInFuture, { message: 'imageTakenOn cannot be in the future', path: ['imageTakenOn'] })
  .refine((e) => !isDate(e.reviewBy) || !isDate(e.imageTakenOn) || e.reviewBy > e.imageTakenOn, {
    message: 'reviewBy must be after imageTakenOn',
    path: ['reviewBy'],
  });
export type EntryInput = z.infer<typeof EntryInputSchema>;

export const EntryUpdateSchema = z
  .object({
    reference: entryShape.reference.optional(),
    name: entryShape.name.optional(),
    category: CategorySchema.optional(),
    imageSource: entryShape.imageSource.optional(),
    legalBasis: entryShape.legalBasis.optional(),
    imageTakenOn: entryShape.imageTakenOn.optional(),
    reviewBy: entryShape.reviewBy.optional(),
    notes: notes('notes').optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' })
  .refine(imageNotInFuture, { message: 'imageTakenOn cannot be in the future', path: ['imageTakenOn'] });
export type EntryUpdate = z.infer<typeof EntryUpdateSchema>;

export const EntryQuerySchema = z
  .object({
    // NFC like the names it searches, so a name typed either way is found.
    q: nameText('q').max(120).optional(),
    category: CategorySchema.optional(),
    reviewOverdue: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v === 'true'),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(48),
  })
  .strict();
export type EntryQuery = z.infer<typeof EntryQuerySchema>;

export const MAX_IMAGES_PER_REQUEST = 10;

/** The form field by which an admin confirms adding a person who looks like an existing entry. */
export const DuplicateConfirmationSchema = z
  .enum(['true', 'false'], { message: 'confirmDuplicate must be true or false' })
  .optional()
  .transform((v) => v === 'true');
