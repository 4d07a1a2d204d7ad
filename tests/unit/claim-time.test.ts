import { describe, expect, it } from 'vitest';
import { CLAIM_TIMEOUT_MS } from '@/lib/alerts/state';
import { claimClock, claimLostToast, formatCountdown, groupClaim, heldByViewer, londonTimeWithZone, showsRowCountdown } from '@/components/alerts/claim-time';

const held = (expiresAt: string) => ({ claimedBy: { id: 'u1', name: 'Olivia Operator' }, claimExpiresAt: expiresAt });

describe('the claim countdown', () => {
  it('counts minutes and seconds, rounding up so 0:00 means run out', () => {
    expect(formatCountdown(CLAIM_TIMEOUT_MS)).toBe('5:00');
    expect(formatCountdown(272_000)).toBe('4:32');
    expect(formatCountdown(8_001)).toBe('0:09');
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(0)).toBe('0:00');
    expect(formatCountdown(-5_000)).toBe('0:00');
  });

  it('is calm, then amber in the last minute, then lapsing; nothing when nobody holds the alert', () => {
    const now = Date.parse('2026-12-05T21:00:00Z');
    expect(claimClock(held('2026-12-05T21:04:32Z'), now)).toEqual({ remainingMs: 272_000, tone: 'ok', text: '4:32' });
    expect(claimClock(held('2026-12-05T21:01:00Z'), now)).toMatchObject({ tone: 'warn', text: '1:00' });
    expect(claimClock(held('2026-12-05T21:00:59Z'), now)).toMatchObject({ tone: 'warn', text: '0:59' });
    expect(claimClock(held('2026-12-05T20:59:58Z'), now)).toEqual({ remainingMs: 0, tone: 'lapsing', text: '0:00' });
    expect(claimClock({ claimedBy: null, claimExpiresAt: null }, now)).toBeNull();
  });
});

describe('the claims of a group', () => {
  const olivia = { id: 'u1', name: 'Olivia Operator' };
  const omar = { id: 'u2', name: 'Omar Operator' };
  const now = Date.parse('2026-12-05T21:00:00Z');

  it('count down to the EARLIEST lapse among the members, not the lead’s', () => {
    const group = [
      { claimedBy: olivia, claimExpiresAt: '2026-12-05T21:04:30Z' },
      { claimedBy: olivia, claimExpiresAt: '2026-12-05T21:00:40Z' },
      { claimedBy: olivia, claimExpiresAt: '2026-12-05T21:03:00Z' },
    ];
    expect(groupClaim(group)).toEqual({ claimedBy: olivia, claimExpiresAt: '2026-12-05T21:00:40Z' });
    expect(claimClock(groupClaim(group), now)).toMatchObject({ tone: 'warn', text: '0:40' });
    // One sighting: its own expiry; nobody holding the lead: no countdown.
    expect(groupClaim([group[0]!])).toEqual(group[0]);
    expect(claimClock(groupClaim([{ claimedBy: null, claimExpiresAt: null }]), now)).toBeNull();
    // Another holder's claim does not shorten the lead holder's countdown.
    expect(groupClaim([group[0]!, { claimedBy: omar, claimExpiresAt: '2026-12-05T21:00:05Z' }]).claimExpiresAt).toBe('2026-12-05T21:04:30Z');
  });

  it('are all extended when the viewer holds them, never another person’s', () => {
    const a = { id: 'a', claimedBy: olivia };
    const b = { id: 'b', claimedBy: olivia };
    const c = { id: 'c', claimedBy: omar };
    const d = { id: 'd', claimedBy: null };
    expect(heldByViewer([a, b, c, d], olivia.id).map((x) => x.id)).toEqual(['a', 'b']);
    expect(heldByViewer([a, b, c, d], 'someone')).toEqual([]);
  });

  it('show their countdown on a row to the holder and to senior officers, not to other operators', () => {
    expect(showsRowCountdown({ claimedBy: olivia }, olivia.id, false)).toBe(true);
    expect(showsRowCountdown({ claimedBy: olivia }, omar.id, false)).toBe(false);
    expect(showsRowCountdown({ claimedBy: olivia }, 's1', true)).toBe(true);
    expect(showsRowCountdown({ claimedBy: null }, olivia.id, true)).toBe(false);
  });
});

describe('times in notices', () => {
  it('are London times with the zone named (GMT in winter, BST in summer), with the day when not today', () => {
    expect(londonTimeWithZone('2026-12-05T21:55:10Z', Date.parse('2026-12-05T22:00:00Z'))).toBe('21:55:10 GMT');
    expect(londonTimeWithZone('2026-07-01T11:00:00Z', Date.parse('2026-07-01T11:30:00Z'))).toBe('12:00:00 BST');
    // 23:30 UTC on 30 June is 00:30 BST on 1 July: a London day earlier than "now" shows the day.
    expect(londonTimeWithZone('2026-06-29T23:30:00Z', Date.parse('2026-07-01T09:00:00Z'))).toBe('Tue 30 Jun, 00:30:00 BST');
  });

  it('say who took a claim away, or that it lapsed and after how long', () => {
    const base = { alertId: 'a1', deploymentId: 'd1', name: 'Demo subject', camera: 'Regent St north', at: '2026-12-05T21:55:10Z' };
    const now = Date.parse('2026-12-05T21:56:00Z');
    expect(claimLostToast({ ...base, reason: 'released', by: { id: 's1', name: 'Sam Senior' } }, now)).toEqual({
      id: 'a1@2026-12-05T21:55:10Z',
      tone: 'warn',
      title: 'Your claim was taken away',
      text: 'Sam Senior released your claim on the alert for Demo subject (Regent St north) at 21:55:10 GMT. Claim it again if you still need to decide it.',
    });
    const lapsed = claimLostToast({ ...base, reason: 'lapsed', by: null }, now);
    expect(lapsed.title).toBe('Your claim lapsed');
    expect(lapsed.text).toBe(
      'Nothing was done on the alert for Demo subject (Regent St north) for 5 minutes, so your claim was released at 21:55:10 GMT. Claim it again to carry on.',
    );
    // A deployment the holder can no longer see: the server sends no name or camera, and none is made up.
    const unseen = claimLostToast({ ...base, name: null, camera: null, reason: 'lapsed', by: null }, now);
    expect(unseen.text).toContain('an alert of a deployment you can no longer see');
    expect(unseen.text).not.toContain('null');
  });
});
