import { describe, expect, it } from 'vitest';
import { HttpError } from '@/lib/http/errors';
import { boundaryOf, MultipartForm, parseMultipart, readMultipart, textFields } from '@/lib/http/multipart';

/** A form as fetch sends it: the body bytes and its Content-Type. */
async function encoded(form: FormData): Promise<{ body: Uint8Array<ArrayBuffer>; type: string; boundary: string }> {
  const request = new Request('http://localhost/', { method: 'POST', body: form });
  const type = request.headers.get('content-type')!;
  return { body: new Uint8Array(await request.arrayBuffer()), type, boundary: boundaryOf(type)! };
}

/** A form as plain data: its text fields, and its files as field, name, type and bytes, each in order. */
async function entries(form: FormData | MultipartForm) {
  if (form instanceof MultipartForm) {
    return {
      texts: form.textEntries().map(([key, value]) => [key, value]),
      files: allFiles(form).map((file) => [file.field, { name: file.name, type: file.type, bytes: Array.from(file.bytes) }]),
    };
  }
  const texts: unknown[] = [];
  const files: unknown[] = [];
  for (const [key, value] of form) {
    if (typeof value === 'string') texts.push([key, value]);
    else files.push([key, { name: value.name, type: value.type, bytes: Array.from(new Uint8Array(await value.arrayBuffer())) }]);
  }
  return { texts, files };
}

/** Every file of a parsed form, whatever its field (the fields these tests send). */
const allFiles = (form: MultipartForm) => ['images', 'set'].flatMap((field) => form.files(field));

const bytes = (n: number, seed = 7) => Uint8Array.from({ length: n }, (_, i) => (i * 2654435761 + seed) >>> 24);
const text = (value: string) => new TextEncoder().encode(value) as Uint8Array<ArrayBuffer>;

async function refusal(body: Uint8Array<ArrayBuffer>, boundary = 'xyz'): Promise<string> {
  try {
    await parseMultipart(body, boundary);
  } catch (error) {
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toMatchObject({ status: 400, code: 'malformed_form' });
    return (error as Error).message;
  }
  throw new Error('the body was accepted');
}

describe('multipart/form-data', () => {
  it('reads what fetch sends exactly as undici’s own parser does: fields, files, names in any script, empty parts', async () => {
    const form = new FormData();
    form.set('reference', 'WAR/1');
    form.set('name', 'Siân O’Brien — 王小明');
    form.set('notes', 'line one\r\nline two');
    form.set('empty', '');
    form.append('images', new Blob([bytes(5000)], { type: 'image/jpeg' }), 'first photo.jpg');
    form.append('images', new Blob([bytes(3, 1)], { type: 'image/png' }), 'é "quoted"\r\n.png');
    form.append('images', new Blob([]), 'nothing.webp');
    const { body, type, boundary } = await encoded(form);

    const ours = await parseMultipart(body, boundary);
    const theirs = await new Response(body, { headers: { 'content-type': type } }).formData();
    expect(await entries(ours)).toEqual(await entries(theirs));
    expect(ours.files('images')[1]!.name).toBe('é "quoted"\r\n.png');
    // Files are views of the body, not copies.
    expect(ours.files('images')[0]!.bytes.buffer).toBe(body.buffer);
    expect(textFields(ours, ['notes'])).toEqual({ reference: 'WAR/1', name: 'Siân O’Brien — 王小明', empty: '' });
  });

  it('finds a boundary that straddles two search windows, and content that merely resembles one', async () => {
    const form = new FormData();
    const boundaryLike = text('\r\n--not-the-boundary\r\n--');
    form.append('set', new Blob([bytes(1000), boundaryLike, bytes(1000, 3)]), 'set.zip');
    form.set('name', 'A set');
    const { body, type, boundary } = await encoded(form);
    const theirs = await entries(await new Response(body, { headers: { 'content-type': type } }).formData());
    // Windows of every small size put the boundary across a window's edge somewhere.
    for (const windowBytes of [7, 64, 100, 1009, 4096]) {
      expect(await entries(await parseMultipart(body, boundary, { windowBytes })), `window ${windowBytes}`).toEqual(theirs);
    }
  });

  it('gives the event loop turns while it reads a large body, instead of holding it', async () => {
    const form = new FormData();
    for (let i = 0; i < 4; i++) form.append('images', new Blob([new Uint8Array(8 * 1024 * 1024)]), `${i}.jpg`);
    const { body, boundary } = await encoded(form);
    let turns = 0;
    let counting = true;
    const count = () => {
      turns++;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const parsed = await parseMultipart(body, boundary, { windowBytes: 1024 * 1024 });
    counting = false;
    expect(parsed.files('images')).toHaveLength(4);
    // At least one turn per megabyte searched.
    expect(turns).toBeGreaterThanOrEqual(32);
  });

  it('takes the boundary from the Content-Type, quoted or not', () => {
    expect(boundaryOf('multipart/form-data; boundary=----WebKitFormBoundaryAbC')).toBe('----WebKitFormBoundaryAbC');
    expect(boundaryOf('multipart/form-data; charset=utf-8; boundary="a b:c"')).toBe('a b:c');
    expect(boundaryOf('multipart/form-data')).toBeNull();
  });

  it('refuses what is not a whole form with 400 malformed_form, saying what is wrong', async () => {
    const field = (headers: string, content = 'x') => `--xyz\r\n${headers}\r\n\r\n${content}\r\n`;
    expect(await refusal(text('no boundary at all'))).toMatch(/no opening boundary/);
    expect(await refusal(text(`${field('Content-Disposition: form-data; name="a"')}--xyz`))).toMatch(/not followed by a line break/);
    expect(await refusal(text(field('Content-Disposition: form-data; name="a"', 'cut short')))).toMatch(/not closed by a boundary/);
    expect(await refusal(text(`${field('Content-Disposition: attachment; name="a"')}--xyz--`))).toMatch(/not a form field/);
    expect(await refusal(text(`--xyz\r\n\r\nno headers\r\n--xyz--`))).toMatch(/not a form field/);
    expect(await refusal(text(`${field('Content-Disposition: form-data; filename="a.jpg"')}--xyz--`))).toMatch(/no field name/);
    expect(await refusal(text(`${field('Content-Disposition form-data')}--xyz--`))).toMatch(/header line without a name/);
    expect(await refusal(text(`--xyz\r\nContent-Disposition: form-data; name="a"${' '.repeat(20_000)}`))).toMatch(/headers do not end/);
    expect(await refusal(text(`${field('Content-Disposition: form-data; name="a"').repeat(1001)}--xyz--`))).toMatch(/more than 1000 parts/);
  });

  it('ignores a preamble and an epilogue', async () => {
    const form = await parseMultipart(text('preamble\r\n--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n--xyz--\r\nepilogue'), 'xyz');
    expect(await entries(form)).toEqual({ texts: [['a', 'value']], files: [] });
  });

  it('refuses a request that is not multipart (415) or names no boundary (400)', async () => {
    const post = (type: string) => new Request('http://localhost/', { method: 'POST', headers: { 'content-type': type }, body: 'x' });
    await expect(readMultipart(post('application/json'), 1000)).rejects.toMatchObject({ status: 415 });
    await expect(readMultipart(post('multipart/form-data'), 1000)).rejects.toMatchObject({ status: 400, code: 'malformed_form' });
  });
});
