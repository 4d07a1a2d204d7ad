import { processState } from '@/lib/process-state';

/**
 * Refusals are audited, but a client retrying a bad key (or a scan of made-up ones) must not fill
 * the audit trail, and one flood must not hide another refusal:
 *
 * - One record per sender ("subject") a minute at most. The caller picks subjects the sender
 *   cannot multiply at will (a service account, not the deployments it names; an address for a
 *   made-up key, not the key id). Refusals left out are counted, with a few samples (deployment
 *   ids), and written with the sender's next record.
 * - Two budgets of REFUSAL_ROWS_PER_MINUTE records a minute each: `key` for refusals of a real key
 *   (revoked, expired, out of scope) and `junk` for malformed or unknown keys, so a flood of junk
 *   cannot crowd out a thief retrying a revoked key.
 * - Refusals a full budget left out are not charged to whoever records next: when the budget's
 *   minute is over, its next refusal brings a summary (written as its own record) with that count,
 *   and with the counts of senders whose minute ended without a record of their own to carry them.
 *
 * Counts still pending when the server stops (or when no refusal ever comes again) are lost.
 */
const REFUSAL_WINDOW_MS = 60_000;
export const REFUSAL_ROWS_PER_MINUTE = 120;
const SAMPLES_KEPT = 5;
const SENDERS_NAMED = 10;

export type RefusalBudget = 'key' | 'junk';

type SubjectEntry = { budget: RefusalBudget; windowStart: number; unrecorded: number; samples: string[] };
type BudgetState = { windowStart: number; rows: number; unrecorded: number };

export type RefusalLimiter = {
  perSubject: Map<string, SubjectEntry>;
  budgets: Record<RefusalBudget, BudgetState>;
};

/** What a budget left unrecorded in a minute that is over: write it as one record. */
export type RefusalSummary = {
  budget: RefusalBudget;
  windowStart: number;
  /** refusals left out because the budget was full */
  overBudget: number;
  /** refusals left out by senders' own limits, whose senders did not come back to carry them */
  senders: { subject: string; unrecorded: number; samples: string[] }[];
  sendersUnrecorded: number;
};

export type RefusalDecision = {
  record: boolean;
  /** this sender's refusals left out since its last record */
  unrecordedBefore: number;
  /** samples (deployment ids) of those refusals */
  samples: string[];
  /** a summary of the budget's last minute, when it is over and left something out */
  summary: RefusalSummary | null;
};

const refusalLimiter = processState<RefusalLimiter>('apiKeyRefusalAudit', newRefusalLimiter);

export function newRefusalLimiter(): RefusalLimiter {
  return {
    perSubject: new Map(),
    budgets: { key: { windowStart: 0, rows: 0, unrecorded: 0 }, junk: { windowStart: 0, rows: 0, unrecorded: 0 } },
  };
}

function addSample(samples: string[], sample: string | undefined): void {
  if (sample !== undefined && samples.length < SAMPLES_KEPT && !samples.includes(sample)) samples.push(sample);
}

/**
 * Starts a new minute for a budget once the last one is over; answers the summary of what that
 * minute left out. Runs at most once a minute per budget, and the subjects it sweeps each wrote a
 * record in their minute, so there are at most 2 × REFUSAL_ROWS_PER_MINUTE of them.
 */
function rollOver(limiter: RefusalLimiter, budget: RefusalBudget, subject: string, now: number): RefusalSummary | null {
  const state = limiter.budgets[budget];
  if (now - state.windowStart < REFUSAL_WINDOW_MS) return null;
  const summary: RefusalSummary = { budget, windowStart: state.windowStart, overBudget: state.unrecorded, senders: [], sendersUnrecorded: 0 };
  for (const [key, entry] of limiter.perSubject) {
    // The current sender carries its own count in its record.
    if (entry.budget !== budget || key === subject || now - entry.windowStart < REFUSAL_WINDOW_MS) continue;
    if (entry.unrecorded > 0) {
      summary.sendersUnrecorded += entry.unrecorded;
      if (summary.senders.length < SENDERS_NAMED) summary.senders.push({ subject: key, unrecorded: entry.unrecorded, samples: entry.samples });
    }
    limiter.perSubject.delete(key);
  }
  state.windowStart = now;
  state.rows = 0;
  state.unrecorded = 0;
  return summary.overBudget > 0 || summary.sendersUnrecorded > 0 ? summary : null;
}

/** Whether this refusal gets an audit record now, what it carries, and any summary to write first. */
export function takeRefusalRecord(
  refusal: { subject: string; budget: RefusalBudget; sample?: string },
  now = Date.now(),
  limiter: RefusalLimiter = refusalLimiter,
): RefusalDecision {
  const { subject, budget, sample } = refusal;
  const summary = rollOver(limiter, budget, subject, now);
  const entry = limiter.perSubject.get(subject);
  if (entry && now - entry.windowStart < REFUSAL_WINDOW_MS) {
    entry.unrecorded += 1;
    addSample(entry.samples, sample);
    return { record: false, unrecordedBefore: 0, samples: [], summary };
  }
  const state = limiter.budgets[budget];
  if (state.rows >= REFUSAL_ROWS_PER_MINUTE) {
    // Counted for the budget's summary; a sender's own earlier count stays with it for its next record.
    state.unrecorded += 1;
    return { record: false, unrecordedBefore: 0, samples: [], summary };
  }
  state.rows += 1;
  limiter.perSubject.set(subject, { budget, windowStart: now, unrecorded: 0, samples: [] });
  return { record: true, unrecordedBefore: entry?.unrecorded ?? 0, samples: entry?.samples ?? [], summary };
}
