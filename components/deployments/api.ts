/**
 * Browser-side calls to the deployments API. Like components/ui/api.ts `sendJson`, a refusal
 * becomes an Error carrying the server's own message; unlike it, the error keeps the status,
 * the code and the details, because the plan editor shows them beside the fields they name
 * (422 `incomplete_plan` → `details.missing`, 422 `invalid_input` → `details.issues`).
 */
import type { PlanProblem } from '@/lib/deployments/schema';

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

  /** What the plan still needs, when the server refused a submission or authorisation as incomplete. */
  get missing(): PlanProblem[] {
    const missing = (this.details as { missing?: unknown } | undefined)?.missing;
    return Array.isArray(missing) ? missing.filter(isProblem) : [];
  }

  /** The fields a 422 `invalid_input` named, as `{ field: 'endsAt', message }` (paths joined with dots). */
  get issues(): PlanProblem[] {
    const issues = (this.details as { issues?: unknown } | undefined)?.issues;
    if (!Array.isArray(issues)) return [];
    return issues.flatMap((i: unknown) => {
      const issue = i as { path?: unknown; message?: unknown };
      return typeof issue?.message === 'string' ? [{ field: typeof issue.path === 'string' ? issue.path : '', message: issue.message }] : [];
    });
  }
}

function isProblem(value: unknown): value is PlanProblem {
  const p = value as PlanProblem | null;
  return typeof p?.field === 'string' && typeof p.message === 'string';
}

export async function callApi<T>(url: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check the connection and try again; nothing was changed.');
  }
  const data = (await response.json().catch(() => ({}))) as { error?: string; message?: string; details?: unknown };
  if (!response.ok) {
    throw new ApiError(response.status, data.error ?? 'error', data.message ?? `The server answered ${response.status}.`, data.details);
  }
  return data as T;
}

export const messageOf = (error: unknown, fallback: string) => (error instanceof Error && error.message ? error.message : fallback);
