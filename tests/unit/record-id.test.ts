import { describe, expect, it } from 'vitest';
import { recordId } from '@/lib/validation/id';

describe('ids sent by clients (lib/validation/id.ts)', () => {
  const id = recordId('alertId');
  it('accepts a server-made id, trimmed', () => {
    expect(id.parse(' cmabc123xyz ')).toBe('cmabc123xyz');
  });
  it('refuses control and invisible characters, empty and over-long ids, naming the field', () => {
    for (const bad of ['a\u0000b', 'a\nb', 'a\u202Eb', 'a\u200Bb', '', 'x'.repeat(65), 42]) {
      const result = id.safeParse(bad);
      expect(result.success, JSON.stringify(bad)).toBe(false);
      expect(result.error!.issues[0]!.message).toMatch(/^alertId /);
    }
  });
});
