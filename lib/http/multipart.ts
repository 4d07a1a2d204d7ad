import { HttpError } from './errors';
import { readBodyLimited } from './route';

/** A multipart/form-data body of at most `limitBytes`, refused with 415/413 otherwise. */
export async function readMultipart(request: Request, limitBytes: number): Promise<FormData> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the entry as multipart/form-data (fields and image files).');
  }
  const body = await readBodyLimited(request, limitBytes);
  try {
    return await new Response(body, { headers: { 'content-type': type } }).formData();
  } catch {
    throw new HttpError(400, 'malformed_form', 'The multipart body could not be read.');
  }
}

/** The text fields of a form (files left out), for schema validation. */
export function textFields(form: FormData, ignore: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of form) {
    if (ignore.includes(key) || typeof value !== 'string') continue;
    fields[key] = value;
  }
  return fields;
}
