import { describe, expect, it } from 'vitest';
import { PERMISSIONS } from '@/lib/auth/permissions';
import { apiRoutes, PUBLIC_ROUTES } from '../support/api-routes';

describe('every API route names its gate', () => {
  const routes = apiRoutes();

  it('finds the routes (the reader still understands the files)', () => {
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual(expect.objectContaining({ method: 'POST', pattern: '/api/alerts/[id]/claim' }));
  });

  it('calls requirePermission, requireAnyPermission or requireUser first in every handler not deliberately public', () => {
    const unrecognised = routes.filter((r) => r.gate.kind === 'unrecognised').map((r) => `${r.method} ${r.pattern}`);
    expect(unrecognised, 'handlers without a recognised gate').toEqual([]);
  });

  it('lets API keys (service accounts) into the probe route only', () => {
    const withKeys = routes.filter((r) => r.gate.kind === 'permission' && r.gate.apiKey).map((r) => `${r.method} ${r.pattern}`);
    expect(withKeys).toEqual(['POST /api/deployments/[id]/probes']);
  });

  it('names only permissions of the permission table', () => {
    for (const route of routes) {
      const named = route.gate.kind === 'permission' ? [route.gate.permission] : route.gate.kind === 'any-permission' ? route.gate.permissions : [];
      for (const permission of named) expect(PERMISSIONS, `${route.method} ${route.pattern}`).toContain(permission);
    }
  });

  it('keeps the public list to routes that exist', () => {
    const present = new Set(routes.map((r) => `${r.method} ${r.pattern}`));
    for (const key of Object.keys(PUBLIC_ROUTES)) expect(present, key).toContain(key);
  });
});
