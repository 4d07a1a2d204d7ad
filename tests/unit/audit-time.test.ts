import { expect, it } from 'vitest';
import { auditTime } from '@/components/audit/audit-time';

it('shows an audit time in London, to the second, with the clock named in winter and summer', () => {
  expect(auditTime('2026-12-01T09:00:07.000Z')).toBe('Tue 1 Dec 2026, 09:00:07 GMT');
  // 23:30:59 UTC on 30 June is 00:30:59 the next day in London (BST).
  expect(auditTime('2026-06-30T23:30:59.000Z')).toBe('Wed 1 Jul 2026, 00:30:59 BST');
});
