import { describe, expect, it } from 'vitest';
import type { Probe } from '@/lib/face/probe';
import { exchangeProbe, type ProbeReply } from '@/lib/face/probe-exchange';

class Refused extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const probe: Probe = {
  cameraId: 'cam',
  trackId: 't-1',
  descriptor: Array.from({ length: 128 }, () => 0),
  box: { x: 1, y: 1, width: 10, height: 10 },
  detectionScore: 0.9,
  capturedAt: new Date(0).toISOString(),
};
const TICKET = 'A'.repeat(22);

/** A server that answers from a script, recording what it was sent. */
function server(...answers: (ProbeReply | Refused)[]) {
  const sent: Probe[] = [];
  const submit = async (p: Probe): Promise<ProbeReply> => {
    sent.push(p);
    const answer = answers.shift();
    if (!answer) throw new Error('no more answers');
    if (answer instanceof Refused) throw answer;
    return answer;
  };
  return { sent, submit, refusalCode: (e: unknown) => (e instanceof Refused ? e.code : null) };
}

describe('exchangeProbe (the browser tile and the camera agent alike)', () => {
  it('sends the descriptor alone, and nothing more when the face is no candidate', async () => {
    const s = server({ matched: false });
    expect(await exchangeProbe(probe, 'CROP', { ...s, givenUp: () => false })).toEqual({ matched: false });
    expect(s.sent).toHaveLength(1);
    expect(s.sent[0]).not.toHaveProperty('crop');
  });

  it('sends the crop with the ticket only when asked, and retries while the server is busy', async () => {
    const s = server({ matched: false, cropNeeded: true, ticket: TICKET }, new Refused('verification_busy'), { matched: true });
    expect(await exchangeProbe(probe, 'CROP', { ...s, givenUp: () => false })).toEqual({ matched: true });
    expect(s.sent.map((p) => [p.crop, p.ticket])).toEqual([
      [undefined, undefined],
      ['CROP', TICKET],
      ['CROP', TICKET],
    ]);
  });

  it('gives up on a refusal that is not about being busy, and once the probe has timed out', async () => {
    const other = server({ matched: false, cropNeeded: true, ticket: TICKET }, new Refused('ticket_unknown'));
    await expect(exchangeProbe(probe, 'CROP', { ...other, givenUp: () => false })).rejects.toThrow('ticket_unknown');
    expect(other.sent).toHaveLength(2);
    // Busy, but the probe timed out meanwhile (here: once the follow-up has been sent): not sent again.
    const busy = server({ matched: false, cropNeeded: true, ticket: TICKET }, new Refused('analysis_busy'), { matched: true });
    await expect(exchangeProbe(probe, 'CROP', { ...busy, givenUp: () => busy.sent.length >= 2 })).rejects.toThrow('analysis_busy');
    expect(busy.sent).toHaveLength(2);
    // Timed out before the first answer: the crop is never sent.
    const late = server({ matched: false, cropNeeded: true, ticket: TICKET });
    expect(await exchangeProbe(probe, 'CROP', { ...late, givenUp: () => true })).toMatchObject({ cropNeeded: true });
    expect(late.sent).toHaveLength(1);
  });
});
