import { z } from 'zod';
import { recordId } from '@/lib/validation/id';
import { freeText } from '@/lib/validation/text';
import { ALERT_STATUSES, DECISIONS, OUTCOMES } from './state';

const note = freeText('note').max(2000, 'note must be at most 2000 characters');
/**
 * The alert version the person looked at when deciding: required, so a decision is always about
 * the alert as the person saw it — one about a changed alert is refused (409 `alert_changed`).
 */
const version = z
  .number({ error: (issue) => (issue.input === undefined ? 'version is required: send the version of the alert you looked at' : 'version must be a number') })
  .int('version must be a whole number')
  .positive('version must be positive');

/**
 * A claim's body, all optional: claiming a decided alert is a correction, which says so and why
 * (`{ correction: true, reason }`); without it such a claim is refused (409 `alert_decided`).
 */
export const ClaimSchema = z
  .object({
    correction: z.boolean().optional(),
    reason: freeText('reason')
      .min(10, 'give a reason of at least 10 characters for correcting the decision')
      .max(2000, 'reason must be at most 2000 characters')
      .optional(),
  })
  .strict()
  .refine((claim) => !claim.correction || claim.reason !== undefined, {
    message: 'a correction needs a reason: say why the decision is being corrected',
    path: ['reason'],
  })
  .refine((claim) => claim.correction || claim.reason === undefined, {
    message: 'a reason goes with a correction: send correction: true as well',
    path: ['correction'],
  });
export type ClaimInput = z.infer<typeof ClaimSchema>;

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
    deploymentId: recordId('deploymentId').optional(),
    cameraId: recordId('cameraId').optional(),
    state: z.enum([...ALERT_STATUSES, 'claimed', 'unhandled'] as const).optional(),
    since: z.iso
      .datetime({ offset: true, message: 'since must be an ISO 8601 date-time' })
      .transform((v) => new Date(v))
      .optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();
export type AlertListQuery = z.infer<typeof AlertListQuerySchema>;

/** The most alerts one group decision covers: its writes are one transaction, kept short. */
export const MAX_GROUP_ALERTS = 50;

/** One alert of a group as the person saw it: its id and the version they looked at. */
const groupMember = z
  .object({
    id: recordId('each alert id'),
    version,
  })
  .strict();
const groupMembers = z
  .array(groupMember, { message: 'alerts must be a list of { id, version }: the alerts of the group you looked at' })
  .min(1, 'alerts must name at least one alert of the group')
  .max(MAX_GROUP_ALERTS, `a group decision covers at most ${MAX_GROUP_ALERTS} alerts`)
  .refine((alerts) => new Set(alerts.map((a) => a.id)).size === alerts.length, { message: 'alerts must not name the same alert twice' });

/**
 * One decision for a group of alerts of the same watchlist entry in the same deployment (the
 * queue shows repeated sightings as one item): recorded for every alert, or for none.
 */
export const GroupDecisionSchema = z
  .object({
    alerts: groupMembers,
    decision: z.enum(DECISIONS, { message: `decision must be one of: ${DECISIONS.join(', ')}` }),
    note: note.optional(),
  })
  .strict();
export type GroupDecisionInput = z.infer<typeof GroupDecisionSchema>;

export const GroupOutcomeSchema = z
  .object({
    alerts: groupMembers,
    outcome: z.enum(OUTCOMES, { message: `outcome must be one of: ${OUTCOMES.join(', ')}` }),
    note: note.optional(),
  })
  .strict();
export type GroupOutcomeInput = z.infer<typeof GroupOutcomeSchema>;
