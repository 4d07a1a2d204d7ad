import type { AlertContext, AlertView } from '@/lib/alerts/data';
import type { Decision, Outcome } from '@/lib/alerts/state';
import { callApi } from '@/components/ui/api';

/** The browser's calls to /api/alerts (through the shared client, which keeps status and code). */
const call = <T>(url: string, init?: { signal?: AbortSignal }) => callApi<T>(url, 'GET', undefined, init?.signal);
const post = (url: string, body?: unknown) => callApi<AlertView>(url, 'POST', body);

export type AlertPage = { total: number; page: number; pageSize: number; alerts: AlertView[]; serverTime: string };

export function fetchAlertPage(params: { deploymentId: string; page: number; pageSize: number; since?: string }, signal?: AbortSignal): Promise<AlertPage> {
  const query = new URLSearchParams({ deploymentId: params.deploymentId, page: String(params.page), pageSize: String(params.pageSize) });
  if (params.since) query.set('since', params.since);
  return call<AlertPage>(`/api/alerts?${query}`, { signal });
}

export const fetchAlert = (id: string) => call<AlertView>(`/api/alerts/${encodeURIComponent(id)}`);
export const claimAlert = (id: string) => post(`/api/alerts/${encodeURIComponent(id)}/claim`);
/** Claims a decided alert to correct its decision: the server refuses that without a reason. */
export const claimToCorrect = (id: string, reason: string) => post(`/api/alerts/${encodeURIComponent(id)}/claim`, { correction: true, reason });
/** Gives the holder's claim another claim timeout before it lapses. */
export const extendClaim = (id: string) => post(`/api/alerts/${encodeURIComponent(id)}/extend`);
/** The alert's deployment zone and cameras, and this person's sightings there. */
export const fetchAlertContext = (id: string, signal?: AbortSignal) => call<AlertContext>(`/api/alerts/${encodeURIComponent(id)}/sightings`, { signal });
export const releaseAlert = (id: string) => post(`/api/alerts/${encodeURIComponent(id)}/release`);
export const decideAlert = (id: string, body: { decision: Decision; note?: string; version: number }) =>
  post(`/api/alerts/${encodeURIComponent(id)}/decision`, body);
export const recordOutcome = (id: string, body: { outcome: Outcome; note?: string; version: number }) =>
  post(`/api/alerts/${encodeURIComponent(id)}/outcome`, body);
export const retainAlert = (id: string, reason: string) => post(`/api/alerts/${encodeURIComponent(id)}/retain`, { reason });

export const referenceImageUrl = (referenceImageId: string) => `/api/reference-images/${encodeURIComponent(referenceImageId)}`;

type GroupMember = { id: string; version: number };
/** One decision for every alert of a group of sightings (all held by the caller): all or nothing. */
export const decideGroup = (body: { alerts: GroupMember[]; decision: Decision; note?: string }) =>
  callApi<{ alerts: AlertView[] }>('/api/alerts/group/decision', 'POST', body);
export const recordGroupOutcome = (body: { alerts: GroupMember[]; outcome: Outcome; note?: string }) =>
  callApi<{ alerts: AlertView[] }>('/api/alerts/group/outcome', 'POST', body);

export type EscalationSetting = { colourAfterSeconds: number; soundAfterSeconds: number; isDefault: boolean };
export const fetchEscalation = () => call<EscalationSetting>('/api/settings/alert-escalation');
