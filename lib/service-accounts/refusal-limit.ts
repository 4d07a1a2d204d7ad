import { processState } from '@/lib/process-state';

/**
 * Refusals are audited, but a client retrying a bad key (or a scan of made-up ones) must not fill
 * the audit trail: per key id (or, without one, per reason) and address, one record per minute at
 * most, carrying how many refusals were left unrecorded before it (`unrecordedBefore`); and at most
 * REFUSAL_ROWS_PER_MINUTE records a minute in all, the rest counted into the next record written.
 * Counts still pending when the server stops are lost.
 */
const REFUSAL_WINDOW_MS = 60_000;
const REFUSAL_ROWS_PER_MINUTE = 120;
export type RefusalLimiter = {
  perSubject: Map<string, { windowStart: number; unrecorded: number }>;
  global: { windowStart: number; rows: number; unrecorded: number };
};
const refusalLimiter = processState<RefusalLimiter>('apiKeyRefusalAudit', newRefusalLimiter);

export function newRefusalLimiter(): RefusalLimiter {
  return { perSubject: new Map(), global: { windowStart: 0, rows: 0, unrecorded: 0 } };
}

/** Whether this refusal gets an audit record now, and how many went unrecorded before it. */
export function takeRefusalRecord(subject: string, now = Date.now(), limiter: RefusalLimiter = refusalLimiter): { record: boolean; unrecordedBefore: number } {
  const { perSubject, global } = limiter;
  const entry = perSubject.get(subject);
  if (entry && now - entry.windowStart < REFUSAL_WINDOW_MS) {
    entry.unrecorded += 1;
    return { record: false, unrecordedBefore: 0 };
  }
  if (now - global.windowStart >= REFUSAL_WINDOW_MS) {
    global.windowStart = now;
    global.rows = 0;
  }
  if (global.rows >= REFUSAL_ROWS_PER_MINUTE) {
    global.unrecorded += 1;
    return { record: false, unrecordedBefore: 0 };
  }
  global.rows += 1;
  const unrecordedBefore = (entry?.unrecorded ?? 0) + global.unrecorded;
  global.unrecorded = 0;
  perSubject.set(subject, { windowStart: now, unrecorded: 0 });
  if (perSubject.size > 10_000) {
    for (const [key, value] of perSubject) if (now - value.windowStart >= REFUSAL_WINDOW_MS) perSubject.delete(key);
  }
  return { record: true, unrecordedBefore };
}
