import { describe, expect, it } from 'vitest';
import { readBodyLimited } from '@/lib/http/route';

/** A request whose body arrives in the chunks given, with the Content-Length given (or none). */
function streamed(chunks: Uint8Array[], contentLength?: number): Request {
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
  const headers: Record<string, string> = contentLength === undefined ? {} : { 'content-length': String(contentLength) };
  return new Request('http://localhost/', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 255);

describe('reading a request body', () => {
  const parts = [bytes(1000, 1), bytes(1, 2), bytes(70_000, 3)];
  const whole = Uint8Array.from(parts.flatMap((p) => [...p]));

  it('reads a body of declared length into place as it arrives', async () => {
    const body = await readBodyLimited(streamed(parts, whole.length), 100_000);
    expect(body).toEqual(whole);
    expect(body.buffer.byteLength).toBe(whole.length);
  });

  it('reads a body of unknown length', async () => {
    expect(await readBodyLimited(streamed(parts), 100_000)).toEqual(whole);
  });

  it('gives what arrived when less than declared', async () => {
    expect(await readBodyLimited(streamed(parts, whole.length + 50), 100_000)).toEqual(whole);
  });

  it('refuses a body longer than its Content-Length with 400', async () => {
    await expect(readBodyLimited(streamed(parts, 500), 100_000)).rejects.toMatchObject({ status: 400, code: 'malformed_body' });
  });

  it('refuses more than the limit with 413, declared or not', async () => {
    await expect(readBodyLimited(streamed(parts, whole.length), 1000)).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
    await expect(readBodyLimited(streamed(parts), 1000)).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  });
});
