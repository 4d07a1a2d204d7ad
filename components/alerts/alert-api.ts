import type { AlertView } from '@/lib/alerts/data';
import type { Decision, Outcome } from '@/lib/alerts/state';

/**
 * The browser's calls to /api/alerts. Like components/ui/api.ts's sendJson, a refusal becomes
 * an Error with the server's own message, but this one keeps the status and the code too:
 * the queue treats 409 alert_changed (refresh, then tell the operator) differently from a
 * claim lost to someone else.
 */
export class AlertActionError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AlertActionError';
  }
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, cache: 'no-store' });
  } catch {
    throw new AlertActionError(0, 'network', 'The server could not be reached. Check the connection and try again.');
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; message?: string };
  if (!response.ok) throw new AlertActionError(response.status, data.error ?? 'error', data.message ?? `The server answered ${response.status}.`);
  return data as T;
}

const post = (url: string, body?: unknown) =>
  call<AlertView>(url, {
    method: 'POST',
    headers: body === undefined ? undefined : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

export type AlertPage = { total: number; page: number; pageSize: number; alerts: AlertView[]; serverTime: string };

export function fetchAlertPage(params: { deploymentId: string; page: number; pageSize: number; since?: string }, signal?: AbortSignal): Promise<AlertPage> {
  const query = new URLSearchParams({ deploymentId: params.deploymentId, page: String(params.page), pageSize: String(params.pageSize) });
  if (params.since) query.set('since', params.since);
  return call<AlertPage>(`/api/alerts?${query}`, { signal });
}

export const fetchAlert = (id: string) => call<AlertView>(`/api/alerts/${encodeURIComponent(id)}`);
export const claimAlert = (id: string) => post(`/api/alerts/${encodeURIComponent(id)}/claim`);
export const releaseAlert = (id: string) => post(`/api/alerts/${encodeURIComponent(id)}/release`);
export const decideAlert = (id: string, body: { decision: Decision; note?: string; version: number }) =>
  post(`/api/alerts/${encodeURIComponent(id)}/decision`, body);
export const recordOutcome = (id: string, body: { outcome: Outcome; note?: string; version: number }) =>
  post(`/api/alerts/${encodeURIComponent(id)}/outcome`, body);
export const retainAlert = (id: string, reason: string) => post(`/api/alerts/${encodeURIComponent(id)}/retain`, { reason });

export const referenceImageUrl = (referenceImageId: string) => `/api/reference-images/${encodeURIComponent(referenceImageId)}`;
