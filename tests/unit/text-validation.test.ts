import { describe, expect, it } from 'vitest';
import { CreateDeploymentSchema, ReasonSchema } from '@/lib/deployments/schema';
import { CreateUserSchema } from '@/lib/users/schema';
import { freeText, freeTextProblem, nameProblem, nameText, recordableText } from '@/lib/validation/text';
import { EntryInputSchema, WatchlistInputSchema } from '@/lib/watchlists/schema';

const name = nameText('name').min(1, 'name is required').max(20, 'name must be at most 20 characters');
const reason = freeText('reason').min(3, 'reason is required').max(200);

const messages = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.success ? [] : result.error!.issues.map((issue) => issue.message);

describe('names (nameText)', () => {
  it('normalises to NFC and trims, so a name typed either way is the same name', () => {
    const decomposed = 'Zoe\u0301 Mu\u0308ller'; // e + combining acute, u + combining diaeresis
    expect(name.parse(`  ${decomposed}\t`)).toBe('Zoé Müller');
    expect(name.parse(decomposed)).toBe(name.parse('Zoé Müller'));
  });

  it('refuses the invisible name of the report: U+202E, U+200B, U+200D', () => {
    expect(messages(name.safeParse('\u202E\u200B\u200D'))).toContainEqual(expect.stringMatching(/^name contains a bidirectional control \(U\+202E\)/));
  });

  it('refuses names with no visible character, whatever invisible characters make them', () => {
    for (const invisible of [
      '\u200B',
      '\u200B\u200C\u200D',
      '\u2060',
      '\u200B\uFEFF',
      '\u3164',
      '\u115F',
      '\u2800',
      '\u0301\u0302',
      '\u00A0\u200B',
      '\u180E',
    ]) {
      expect(messages(name.safeParse(invisible)), JSON.stringify(invisible)).toContainEqual(expect.stringMatching(/^name has no visible character/));
    }
    // Characters JavaScript counts as white space (U+FEFF among them) are trimmed away first.
    expect(messages(name.safeParse('\uFEFF\u00A0\u3000'))).toEqual(['name is required']);
  });

  it('refuses NUL and every other C0 or C1 control, naming the character', () => {
    expect(messages(name.safeParse('Ann\u0000Smith'))).toEqual(['name contains a control character (U+0000), which cannot be shown: remove it']);
    for (const control of ['\u0001', '\u001B', '\u007F', '\u0085', '\u009F']) {
      expect(messages(name.safeParse(`A${control}B`))).toContainEqual(
        expect.stringContaining(`control character (U+00${control.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')})`),
      );
    }
  });

  it('keeps a name on one line: tabs and line breaks inside are refused (at the ends they are trimmed)', () => {
    for (const brk of ['\t', '\n', '\r', '\u2028', '\u2029'])
      expect(messages(name.safeParse(`A${brk}B`))).toContainEqual(expect.stringMatching(/^name must be one line/));
    expect(name.parse('\nAnn\r\n')).toBe('Ann');
  });

  it('refuses every bidirectional embedding, override and isolate', () => {
    for (const cp of [0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069]) {
      expect(nameProblem(`abc${String.fromCodePoint(cp)}def`)).toMatch(/^contains a bidirectional control/);
    }
  });

  it('refuses unpaired surrogates but keeps paired ones (emoji, rare scripts)', () => {
    expect(nameProblem('x\uD800')).toMatch(/broken character \(U\+D800/);
    expect(nameProblem('\uDC00')).toMatch(/broken character/);
    expect(nameProblem('Team 😀')).toBeNull();
  });

  it('accepts real names in any script, with the joiners and marks they need', () => {
    for (const real of ['Siân O’Brien', 'محمد علي', 'שרה כהן', 'नमस्ते', 'Đặng Thị', '王小明', 'می‌خواهم', '👩‍👩‍👧', 'A', "D'Arcy-Smith Jr."]) {
      expect(nameProblem(real.normalize('NFC')), real).toBeNull();
      expect(name.safeParse(real).success, real).toBe(true);
    }
  });

  it('leaves an empty name to the caller’s own "required" message', () => {
    expect(messages(name.safeParse('   '))).toEqual(['name is required']);
    expect(messages(name.safeParse(undefined))).toEqual(['name is required']);
  });

  it('measures the length after normalising', () => {
    expect(name.safeParse('e\u0301'.repeat(20)).success).toBe(true); // 40 code units typed, 20 after NFC
  });
});

describe('free text (freeText)', () => {
  it('keeps line breaks and tabs, turning the \\r\\n browsers send into \\n', () => {
    expect(reason.parse('First line\r\nsecond\rthird\n\tindented')).toBe('First line\nsecond\nthird\n\tindented');
  });

  it('refuses NUL and other controls, and bidirectional controls', () => {
    expect(messages(reason.safeParse('Seen\u0000 twice'))).toEqual(['reason contains a control character (U+0000), which cannot be shown: remove it']);
    expect(messages(reason.safeParse('bell \u0007 here'))).toContainEqual(expect.stringContaining('U+0007'));
    expect(messages(reason.safeParse('see \u2067file\u2069 here'))).toContainEqual(
      expect.stringMatching(/^reason contains a bidirectional control \(U\+2067\)/),
    );
    expect(freeTextProblem('x\uDBFF')).toMatch(/broken character/);
  });

  it('normalises to NFC', () => {
    expect(reason.parse('cafe\u0301 owner')).toBe('café owner');
  });
});

describe('identifying fields of the domain schemas', () => {
  const invisible = '\u202E\u200B\u200D';
  const pathsOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }) =>
    result.success ? [] : result.error!.issues.map((issue) => issue.path.join('.'));

  it('refuses invisible or controlled names in users, watchlists, entries and deployments, naming the field', () => {
    const user = { email: 'new@example.test', name: invisible, role: 'operator', password: 'correct horse battery' };
    expect(pathsOf(CreateUserSchema.safeParse(user))).toEqual(['name']);
    expect(pathsOf(CreateUserSchema.safeParse({ ...user, name: 'Ann', email: 'ann\u0000@example.test' }))).toContain('email');
    expect(pathsOf(WatchlistInputSchema.safeParse({ name: '\u200B\u200D' }))).toEqual(['name']);
    const entry = {
      reference: 'WAR/1\u202E',
      name: '\u3164',
      category: 'wanted_by_court',
      imageSource: 'custody image',
      legalBasis: 'warrant',
      imageTakenOn: '2026-01-10',
      reviewBy: '2027-01-10',
    };
    expect(pathsOf(EntryInputSchema.safeParse(entry)).sort()).toEqual(['name', 'reference']);
    expect(pathsOf(CreateDeploymentSchema.safeParse({ name: '\u2060\uFEFF' }))).toEqual(['name']);
    expect(pathsOf(ReasonSchema.safeParse({ reason: 'no\u0000thing' }))).toEqual(['reason']);
  });

  it('stores identifying names as NFC', () => {
    expect(WatchlistInputSchema.parse({ name: 'Cafe\u0301 crew' }).name).toBe('Café crew');
  });
});

describe('text recorded although it failed validation (recordableText)', () => {
  it('makes control characters visible as U+FFFD and leaves the rest', () => {
    expect(recordableText('ann\u0000@example.test\u001B\u0085')).toBe('ann\uFFFD@example.test\uFFFD\uFFFD');
    expect(recordableText('Siân\tO’Brien')).toBe('Siân\uFFFDO’Brien');
  });
});
