import { z } from 'zod';
import { freeText } from '@/lib/validation/text';
import { ALERT_STATUSES, DECISIONS, OUTCOMES } from './state';

const note = freeText('note').max(2000, 'note must be at most 2000 characters');
/** The alert version the person looked at when deciding: a decision about a changed alert is refused. */
const version = z.number().int().positive().optional();

export const DecisionSchema = z
  .object({
    decision: z.enum(DECISIONS, { message: `decision must be one of: ${DECISIONS.join(', ')}` }),
    note: note.optional(),
    version,
  })
  .strict();

export const OutcomeSchema = z
  .object({
    outcome: z.enum(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` }),
    note: note.optional(),
    version,
  })
  .strict();

export const RetainSchema = z
  .object({ reason: freeText('reason').min(10, 'give a reason of at least 10 characters for keeping the image').max(2000) })
  .strict();

export const AlertListQuerySchema = z
  .object({
    deploymentId: z.string().trim().min(1).max(64).optional(),
    cameraId: z.string().trim().min(1).max(64).optional(),
    state: z.enum([...ALERT_STATUSES, 'claimed', 'unhandled'] as const).optional(),
    since: z.iso.datetime({ offset: true, message: 'since must be an ISO 8601 date-time' }).transform((v) => new Date(v)).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;
