import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerOf, type Caller, type RequestHeaders } from '@/lib/auth/caller';
import { clientIpFrom } from '@/lib/http/client-ip';
import { errorResponse, parseJsonBytes, readJson, requireJsonType, tooLarge, uncompressedJson } from '@/lib/http/route';
import { API_CACHE_CONTROL } from '@/lib/http/security-headers';
import type { ProbeAnswer } from '@/lib/face/probe';
import { z } from 'zod';
import { httpAnalyser } from './lease-access';
import { submitProbe } from './probes';

/**
 * POST /api/deployments/:id/probes, for integrations other than the browser tiles (the tiles use
 * the socket, `probe:submit`): a signed-in person, or a service account with
 * `Authorization: Bearer <API key>`.
 *
 * server.ts answers this route itself (answerProbeDirectly), before Next: a probe is a few hundred
 * bytes sent many times a second, and Next's route stack (its request and answer objects, its
 * compression of the answer) cost several times the probe's own work (bench/probe-path.ts).
 * Everything server.ts does for every request — client address, security headers, the
 * cross-origin refusal — has been done by then (lib/http/request-guard.ts), and the checks, limits
 * and answers are the route's own: lib/auth/caller.ts and lib/http/route.ts. The route file under
 * app/ answers the same through the same functions, should Next ever be asked.
 */

// A probe is validated by the pipeline (lib/face/probe.ts); here only its size is bounded.
const ProbeBody = z.unknown();
const PROBE_BODY_LIMIT_BYTES = 128 * 1024;

function submitOverHttp(caller: Caller, deploymentId: string, body: unknown, headers: RequestHeaders): Promise<ProbeAnswer> {
  const sender = httpAnalyser(caller, caller.via.kind === 'session' ? caller.via.sessionId : caller.via.keyId);
  return submitProbe(caller, deploymentId, body, sender, clientIpFrom(headers));
}

/** The route as Next serves it: the probe in `request` from `caller` (already checked for probe:submit). */
export async function answerProbe(caller: Caller, request: Request, deploymentId: string): Promise<Response> {
  const body = await readJson(request, ProbeBody, { limitBytes: PROBE_BODY_LIMIT_BYTES });
  return uncompressedJson(await submitOverHttp(caller, deploymentId, body, request.headers));
}

const PROBE_PATH = /^\/api\/deployments\/([^/?#]+)\/probes(?:\?.*)?$/;

/** The deployment id when this request is a probe sent over HTTP (the route server.ts answers itself), else null. */
export function directProbeDeployment(req: IncomingMessage): string | null {
  if (req.method !== 'POST') return null;
  const match = PROBE_PATH.exec(req.url ?? '');
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return null; // a malformed %-escape: Next answers it with its own 400
  }
}

/** A Node request's headers as the checks read them (as lib/http/request-guard.ts left them). */
function headersOf(req: IncomingMessage): RequestHeaders {
  return {
    get: (name) => {
      const value = req.headers[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

/**
 * Answers a probe request from Node's request and answer, as the route does: the caller is
 * checked before the body is read; then 415 for a body not declared JSON, 413 over 128 KB, 400
 * for malformed JSON, and the pipeline's own answers.
 */
export async function answerProbeDirectly(req: IncomingMessage, res: ServerResponse, deploymentId: string): Promise<void> {
  const headers = headersOf(req);
  try {
    const caller = await callerOf(headers, 'probe:submit');
    requireJsonType(headers.get('content-type'));
    const body = parseJsonBytes(await readBody(req, PROBE_BODY_LIMIT_BYTES), ProbeBody);
    const text = JSON.stringify(await submitOverHttp(caller, deploymentId, body, headers));
    // As uncompressedJson() (lib/http/route.ts): no store, and nothing to compress.
    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': `${API_CACHE_CONTROL}, no-transform`,
      'Content-Length': Buffer.byteLength(text),
    });
    res.end(text);
  } catch (error) {
    const response = errorResponse(error);
    const text = await response.text();
    res.statusCode = response.status;
    response.headers.forEach((value, name) => res.setHeader(name, value));
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  }
  // Whatever of the body is still unread (a refusal before reading it) is discarded, so the sender gets the answer.
  req.resume();
}

/** The body, or 413 when it is (or is declared) longer than `limit`: the rest is then drained unread after the answer. */
function readBody(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > limit) {
        req.off('data', onData);
        reject(tooLarge(limit));
      }
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
}
