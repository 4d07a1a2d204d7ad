import { setImmediate as nextTurn } from 'node:timers/promises';
import { HttpError } from './errors';
import { readBodyLimited } from './route';

/**
 * multipart/form-data bodies (reference photos, calibration sets), read here rather than by
 * `Response.formData()`: undici's parser walks the whole body in JavaScript in one go on the event
 * loop — a 50 MB upload held every request and socket for 1.7 s, and these bodies may be 100 MB —
 * and then copies every file into a Blob, again in one go. Here boundaries are found by
 * Buffer.indexOf (native), a window at a time with a turn of the event loop between windows and
 * between parts, and files are handed out as views of the body, not copies.
 *
 * What is read (RFC 7578, as browsers and fetch send it): an optional preamble, then parts each
 * opened by `--boundary` and a header block, closed by `--boundary--`. A part whose
 * Content-Disposition has a filename is a file, any other a UTF-8 text field.
 */

/** Bytes searched for a boundary before the event loop gets a turn (~ a few ms each). */
const SEARCH_WINDOW_BYTES = 4 * 1024 * 1024;
/** A part's header block longer than this is not a form's. */
const MAX_HEADER_BYTES = 16 * 1024;
/** A form with more parts than this is not one of ours (ten photos and a dozen fields). */
const MAX_PARTS = 1000;

const malformed = (why: string) => new HttpError(400, 'malformed_form', `The multipart body could not be read: ${why}.`);

/**
 * A file sent in a form. `bytes` is a view of the request's body: copy it (slice) before keeping
 * it or posting it to a worker thread, which would otherwise copy the whole body with it.
 */
export type UploadedFile = { field: string; name: string; type: string; bytes: Uint8Array<ArrayBuffer> };

/** A form as read: text fields and files, in the order sent. */
export class MultipartForm {
  constructor(
    private readonly texts: readonly (readonly [field: string, value: string])[],
    private readonly uploads: readonly UploadedFile[],
  ) {}

  /** The files sent under `field`, in order (text sent under that name is not a file and is left out). */
  files(field: string): UploadedFile[] {
    return this.uploads.filter((file) => file.field === field);
  }

  /** Every text field, in order. */
  textEntries(): (readonly [string, string])[] {
    return [...this.texts];
  }
}

/** A multipart/form-data body of at most `limitBytes`, refused with 415/413 otherwise and 400 when it cannot be read. */
export async function readMultipart(request: Request, limitBytes: number): Promise<MultipartForm> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the entry as multipart/form-data (fields and image files).');
  }
  const boundary = boundaryOf(type);
  if (!boundary) throw malformed('its Content-Type names no boundary');
  const body = await readBodyLimited(request, limitBytes);
  return parseMultipart(body, boundary);
}

/** The boundary parameter of a multipart Content-Type (quoted or not), or null. */
export function boundaryOf(contentType: string): string | null {
  const match = /;\s*boundary\s*=\s*(?:"([^"]{1,70})"|([^\s;"]{1,70}))/i.exec(contentType);
  return match ? (match[1] ?? match[2]!) : null;
}

/**
 * The fields and files of a multipart body. Yields to the event loop between search windows and
 * parts. `windowBytes` is for tests (a boundary across two windows).
 */
export async function parseMultipart(body: Uint8Array<ArrayBuffer>, boundary: string, { windowBytes = SEARCH_WINDOW_BYTES } = {}): Promise<MultipartForm> {
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const opening = Buffer.from(`--${boundary}`, 'latin1');
  const delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
  const texts: [string, string][] = [];
  const files: UploadedFile[] = [];

  const first = await find(bytes, opening, 0, windowBytes);
  // The first boundary starts the body or follows a preamble's line break.
  if (first < 0 || (first > 0 && (bytes[first - 2] !== 0x0d || bytes[first - 1] !== 0x0a))) throw malformed('no opening boundary');
  let at = first + opening.length;
  for (let parts = 0; ; parts++) {
    if (bytes[at] === 0x2d && bytes[at + 1] === 0x2d) return new MultipartForm(texts, files); // "--": the closing boundary
    if (parts >= MAX_PARTS) throw malformed(`more than ${MAX_PARTS} parts`);
    while (bytes[at] === 0x20 || bytes[at] === 0x09) at++; // transport padding
    if (bytes[at] !== 0x0d || bytes[at + 1] !== 0x0a) throw malformed('a boundary is not followed by a line break');
    at += 2;
    // A part without headers (a blank line at once) is no form field either.
    if (bytes[at] === 0x0d && bytes[at + 1] === 0x0a) throw malformed('a part is not a form field (Content-Disposition: form-data)');
    const headersEnd = bytes.subarray(at, at + MAX_HEADER_BYTES + 4).indexOf('\r\n\r\n');
    if (headersEnd < 0) throw malformed('a part’s headers do not end');
    const headerBlock = bytes.subarray(at, at + headersEnd).toString('utf8');
    const contentStart = at + headersEnd + 4;
    const next = await find(bytes, delimiter, contentStart, windowBytes);
    if (next < 0) throw malformed('a part is not closed by a boundary (the body may be cut short)');
    const part = readPart(headerBlock, bytes.subarray(contentStart, next));
    if ('text' in part) texts.push([part.field, part.text]);
    else files.push(part);
    at = next + delimiter.length;
    await nextTurn();
  }
}

/** One part, from its header block and content: a text field or a file. */
function readPart(headerBlock: string, content: Buffer<ArrayBuffer>): UploadedFile | { field: string; text: string } {
  let disposition: string | null = null;
  let contentType = '';
  for (const line of headerBlock.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw malformed('a part has a header line without a name');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-disposition') disposition = value;
    else if (name === 'content-type') contentType = value;
  }
  if (!disposition || !/^form-data\b/i.test(disposition)) throw malformed('a part is not a form field (Content-Disposition: form-data)');
  const params = dispositionParams(disposition);
  const field = params.get('name');
  if (field === undefined) throw malformed('a part has no field name');
  const filename = params.get('filename');
  if (filename === undefined) return { field, text: content.toString('utf8') };
  const bytes = new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  return { field, name: filename, type: contentType || 'application/octet-stream', bytes };
}

/**
 * The parameters of a Content-Disposition value. Browsers quote them and escape a quote, CR and LF
 * in names as %22, %0D, %0A (the HTML standard's multipart encoding, with no backslash escapes),
 * which is undone here.
 */
function dispositionParams(value: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const match of value.matchAll(/;\s*([^\s=;]+)\s*=\s*(?:"([^"]*)"|([^;]*))/g)) {
    const raw = match[2] ?? match[3]!.trim();
    params.set(match[1]!.toLowerCase(), raw.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%22/gi, '"'));
  }
  return params;
}

/**
 * Where `needle` first occurs in `bytes` at or after `from`, or -1: searched a window at a time
 * (overlapping by the needle's length), with a turn of the event loop between windows.
 */
async function find(bytes: Buffer<ArrayBuffer>, needle: Buffer, from: number, windowBytes: number): Promise<number> {
  for (let start = from; start < bytes.length; start += windowBytes) {
    if (start > from) await nextTurn();
    const found = bytes.subarray(start, start + windowBytes + needle.length - 1).indexOf(needle);
    if (found >= 0) return start + found;
  }
  return -1;
}

/** The text fields of a form (files and the names in `ignore` left out; the last value of each), for schema validation. */
export function textFields(form: MultipartForm, ignore: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of form.textEntries()) {
    if (ignore.includes(key)) continue;
    fields[key] = value;
  }
  return fields;
}
