/**
 * Plan-specific readings of API refusals: the editor shows them beside the fields they name
 * (422 `incomplete_plan` → `details.missing`, 422 `invalid_input` → `details.issues`).
 * The client itself is components/ui/api.ts.
 */
import type { PlanProblem } from '@/lib/deployments/schema';
import type { ApiError } from '@/components/ui/api';

export { ApiError, callApi, messageOf } from '@/components/ui/api';

/** What the plan still needs, when the server refused a submission or authorisation as incomplete. */
export function missingOf(error: ApiError): PlanProblem[] {
  const missing = (error.details as { missing?: unknown } | undefined)?.missing;
  return Array.isArray(missing) ? missing.filter(isProblem) : [];
}

/** The fields a 422 `invalid_input` named, as `{ field: 'endsAt', message }` (paths joined with dots). */
export function issuesOf(error: ApiError): PlanProblem[] {
  const issues = (error.details as { issues?: unknown } | undefined)?.issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((i: unknown) => {
    const issue = i as { path?: unknown; message?: unknown };
    return typeof issue?.message === 'string' ? [{ field: typeof issue.path === 'string' ? issue.path : '', message: issue.message }] : [];
  });
}

function isProblem(value: unknown): value is PlanProblem {
  const p = value as PlanProblem | null;
  return typeof p?.field === 'string' && typeof p.message === 'string';
}
