import { z } from 'zod';

/**
 * Text one person types and others read: in lists, on alerts, in the audit trail. Two kinds, each
 * a zod string schema that call sites finish with their own `.min()`/`.max()` and messages:
 *
 * - `nameText`: what identifies something — a user's name or email, a watchlist, an entry's name
 *   and reference, a deployment, a camera, a calibration, a recogniser's labels. One line.
 * - `freeText`: reasons, notes, statements. Several lines and tabs allowed.
 *
 * Both are normalised to NFC (so "é" typed as one character or as "e" plus an accent is the same
 * name, found by the same search), trimmed, and refuse what makes text show something other than
 * what it says: control characters (NUL included: databases and logs truncate at it),
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069: "\u202Egpj.exe"
 * displays as "exe.jpg"), and unpaired surrogates. A name must also show at least one character:
 * one made only of spaces, zero-width joiners (U+200B–U+200D, U+2060, U+FEFF), fillers or
 * combining marks is invisible in every list and cannot be told from another.
 *
 * Pure: shared by the route handlers, forms and tests.
 */

/** C0 and C1 controls and DEL. */
const CONTROL = /\p{Cc}/u;
/** The same without tab and newline, which free text keeps (carriage returns become newlines first). */
const CONTROL_IN_FREE_TEXT = /(?![\t\n])\p{Cc}/u;
/** Line and paragraph separators: a line break in all but name. */
const LINE_SEPARATOR = /[\u2028\u2029]/u;
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** With the u flag a surrogate pair is one code point, so this finds only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/**
 * A character that shows something: not white space, a control, a format character (zero-width
 * space and joiners, word joiner, BOM, bidi marks), a default-ignorable one (Hangul fillers,
 * variation selectors), a combining mark on its own, unassigned, private-use, a surrogate, or the
 * blank braille pattern U+2800 (drawn as nothing, and a known way to make a blank name).
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{M}\p{Cn}\p{Co}\p{Cs}\u2800]/u;

const codePoint = (character: string) => `U+${character.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why a name (already NFC and trimmed) cannot be used, or null. Empty is left to the caller's `.min()`. */
export function nameProblem(value: string): string | null {
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) return `contains a broken character (${codePoint(surrogate[0])}, half of a pair): type it again`;
  const control = CONTROL.exec(value) ?? LINE_SEPARATOR.exec(value);
  if (control) {
    return /[\t\n\r\u2028\u2029]/u.test(control[0])
      ? `must be one line, without tabs or line breaks (found ${codePoint(control[0])})`
      : `contains a control character (${codePoint(control[0])}), which cannot be shown: remove it`;
  }
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return `contains a bidirectional control (${codePoint(bidi[0])}), which makes text display in another order than it is written: remove it`;
  if (value.length > 0 && !VISIBLE.test(value)) return 'has no visible character: it is made only of spaces or invisible characters';
  return null;
}

/** Why free text (already NFC, trimmed, newlines as \n) cannot be used, or null. */
export function freeTextProblem(value: string): string | null {
  const surrogate = LONE_SURROGATE.exec(value);
  if (surrogate) return `contains a broken character (${codePoint(surrogate[0])}, half of a pair): type it again`;
  const control = CONTROL_IN_FREE_TEXT.exec(value);
  if (control) return `contains a control character (${codePoint(control[0])}), which cannot be shown: remove it`;
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return `contains a bidirectional control (${codePoint(bidi[0])}), which makes text display in another order than it is written: remove it`;
  return null;
}

/**
 * A name that identifies something: NFC, trimmed, one line, no control or bidirectional
 * characters, at least one visible character when not empty. `field` starts the message.
 * Add `.min(1, …)` (required) and `.max(n, …)` at the call site.
 */
export function nameText(field: string, typeMessage = `${field} is required`): z.ZodString {
  return z
    .string({ message: typeMessage })
    .normalize('NFC')
    .trim()
    .superRefine((value, ctx) => {
      const problem = nameProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    });
}

/**
 * Free text (a reason, a note, a statement): NFC, trimmed, line breaks kept as \n (a browser sends
 * a form's text areas with \r\n), tabs kept, no other control and no bidirectional characters.
 * Add `.min()`/`.max()` at the call site.
 */
export function freeText(field: string, typeMessage = `${field} must be text`): z.ZodString {
  return z
    .string({ message: typeMessage })
    .normalize('NFC')
    .overwrite((value) => value.replace(/\r\n?/g, '\n'))
    .trim()
    .superRefine((value, ctx) => {
      const problem = freeTextProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `${field} ${problem}` });
    });
}

/**
 * Text that failed validation but must still be recorded (the email of a malformed sign-in
 * attempt): control characters replaced by U+FFFD, so the record shows that something was there
 * and PostgreSQL, which refuses NUL in text, can store it.
 */
export function recordableText(value: string): string {
  return value.replace(/\p{Cc}/gu, '\uFFFD');
}
