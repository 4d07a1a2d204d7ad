/**
 * The browser's one JSON client for Sightline's API. A refusal becomes an ApiError carrying the
 * server's own message (written for a person), and its status, code and details, so a caller
 * can react to a particular refusal (e.g. 409 `alert_changed`, 422 `incomplete_plan`).
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function callApi<T>(url: string, method: Method = 'GET', body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again; nothing was changed.');
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; message?: string; details?: unknown };
  if (!response.ok) {
    throw new ApiError(response.status, data.error ?? 'error', data.message ?? `The server answered ${response.status}.`, data.details);
  }
  return data as T;
}

/** A write with a JSON body (or none). */
export function sendJson<T>(url: string, method: 'POST' | 'PATCH' | 'DELETE', body?: unknown): Promise<T> {
  return callApi<T>(url, method, body);
}

/** The message to show for a failure, with a fallback for anything that is not an Error. */
export const messageOf = (error: unknown, fallback: string) => (error instanceof Error && error.message ? error.message : fallback);
