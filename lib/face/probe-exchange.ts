import type { Probe } from './probe';

/**
 * How a face's probe is sent, the same for a browser tile (components/live/tile-detection.ts) and
 * the camera agent (lib/agent/camera-analysis.ts): the descriptor first, alone; the crop only when
 * the server answers that the face is a candidate (`cropNeeded`), with the ticket it gave. While
 * the server cannot verify yet — busy with this sender's other candidates, its verifier
 * overloaded, or the sender over its probe rate (refused before the ticket was touched) — the same
 * follow-up goes again after a pause that doubles from 250 ms up to 2 s, jittered so that many
 * cameras do not come back at once. Pure: no Node or browser APIs.
 */

/** A probe unanswered after this long is treated as failed (the track is probed again later). */
export const PROBE_TIMEOUT_MS = 10_000;
/** Refusal codes after which the same crop follow-up is sent again. */
export const RETRYABLE_VERIFY_CODES: ReadonlySet<string> = new Set(['verification_busy', 'analysis_busy', 'analysis_timeout', 'rate_limited']);
const VERIFY_RETRY_FIRST_MS = 250;
const VERIFY_RETRY_MAX_MS = 2000;

/** What both senders' submit functions answer (a refusal is a rejection). */
export type ProbeReply = { matched: boolean; cropNeeded?: boolean; ticket?: string };

export type ProbeExchange<A extends ProbeReply> = {
  submit: (probe: Probe) => Promise<A>;
  /** The refusal's code, when the error is the server's refusal (else null: not retried). */
  refusalCode: (error: unknown) => string | null;
  /** True once the probe has timed out or its sender is gone: no further sending. */
  givenUp: () => boolean;
};

/** Sends one face: the descriptor, then — if asked — its crop with the ticket, retried while the server is busy. */
export async function exchangeProbe<A extends ProbeReply>(probe: Probe, crop: string, { submit, refusalCode, givenUp }: ProbeExchange<A>): Promise<A> {
  const first = await submit(probe);
  if (first.matched || !first.cropNeeded || !first.ticket || givenUp()) return first;
  const followUp: Probe = { ...probe, crop, ticket: first.ticket };
  for (let attempt = 0; ; attempt++) {
    try {
      return await submit(followUp);
    } catch (error) {
      const code = refusalCode(error);
      if (code === null || !RETRYABLE_VERIFY_CODES.has(code) || givenUp()) throw error;
      const pause = Math.min(VERIFY_RETRY_MAX_MS, VERIFY_RETRY_FIRST_MS * 2 ** attempt) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
