import { z } from 'zod';

/** How a record is exported: downloaded as CSV or JSON, or printed from its page. */
export const RECORD_FORMATS = ['json', 'csv', 'print'] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

export const RecordQuerySchema = z
  .object({
    format: z.enum(['json', 'csv'], { message: 'format must be json or csv' }).default('json'),
  })
  .strict();
