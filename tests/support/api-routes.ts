import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Permission } from '@/lib/auth/permissions';
import { ACTION_PERMISSIONS } from '@/lib/deployments/state-machine';

/**
 * Every API route handler of the app, read from the files under app/api, with the gate its
 * handler calls first. The security suite builds its route × role matrix from this list and
 * the permission table, so a new route is covered the day it is written, and a route whose
 * gate the reader does not recognise fails the suite instead of going unchecked.
 */
export type RouteGate =
  /** `apiKey`: requirePermissionOrApiKey, which also lets a service account in with its key. */
  | { kind: 'permission'; permission: Permission; apiKey?: true }
  /** requireAnyPermission: a role holding one of them passes. */
  | { kind: 'any-permission'; permissions: Permission[] }
  /** Any signed-in user passes the gate; the handler decides the rest (e.g. releasing one's own claim). */
  | { kind: 'signed-in' }
  /** Deliberately open: listed in PUBLIC_ROUTES with the reason. */
  | { kind: 'public'; why: string }
  | { kind: 'unrecognised' };

export type ApiRoute = {
  /** app/api/… file, relative to the project root. */
  file: string;
  method: string;
  /** The URL pattern, e.g. /api/alerts/[id]/claim. */
  pattern: string;
  gate: RouteGate;
};

const ROOT = path.resolve(import.meta.dirname, '../..');
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** Routes open without a session, with the reason they may be. */
export const PUBLIC_ROUTES: Record<string, string> = {
  'GET /api/health': 'load balancers and the e2e runner poll it; it says only whether the database answers',
  'GET /api/auth/[...nextauth]': "Auth.js's own sign-in endpoints (CSRF token, session, providers)",
  'POST /api/auth/[...nextauth]': "Auth.js's own sign-in and sign-out (its CSRF token guards them)",
  ...Object.fromEntries(
    ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => [
      `${method} /api/[[...unknown]]`,
      'the JSON 404 for paths no route claims; it reads nothing',
    ]),
  ),
};

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    return entry.name === 'route.ts' ? [full] : [];
  });
}

/** The source of each exported handler: from `export const GET =` to the next export. */
function handlerSources(source: string): Map<string, string> {
  const handlers = new Map<string, string>();
  const exportAt = [...source.matchAll(/^export (?:const|async function|function) (\w+)/gm)];
  exportAt.forEach((match, i) => {
    const name = match[1]!;
    const end = exportAt[i + 1]?.index ?? source.length;
    if ((METHODS as readonly string[]).includes(name)) handlers.set(name, source.slice(match.index, end));
  });
  // `export { answer as GET, … }`: the whole file is the handler
  for (const match of source.matchAll(/^export \{([^}]+)\}/gm)) {
    for (const name of match[1]!.split(',').map(
      (s) =>
        s
          .trim()
          .split(/\s+as\s+/)
          .pop()!,
    )) {
      if ((METHODS as readonly string[]).includes(name)) handlers.set(name, source);
    }
  }
  // `export const { GET, POST } = handlers` (Auth.js)
  for (const match of source.matchAll(/^export const \{([^}]+)\}/gm)) {
    for (const name of match[1]!.split(',').map((s) => s.trim())) {
      if ((METHODS as readonly string[]).includes(name)) handlers.set(name, '');
    }
  }
  return handlers;
}

function permissionOf(argument: string): Permission | null {
  const literal = /^'([a-z:-]+)'$/.exec(argument.trim());
  if (literal) return literal[1] as Permission;
  const action = /^ACTION_PERMISSIONS\.(\w+)$/.exec(argument.trim());
  if (action && action[1]! in ACTION_PERMISSIONS) return ACTION_PERMISSIONS[action[1] as keyof typeof ACTION_PERMISSIONS];
  return null;
}

function gateOf(handler: string): RouteGate {
  const first = /require(PermissionOrApiKey|Permission|AnyPermission|User|Session)\(([^)]*)\)/.exec(handler);
  if (!first) return { kind: 'unrecognised' };
  // requireSession also lets a session with a temporary password through (to change it).
  if (first[1] === 'User' || first[1] === 'Session') return { kind: 'signed-in' };
  const permissions = first[2]!.split(',').map(permissionOf);
  if (permissions.length === 0 || permissions.some((p) => p === null)) return { kind: 'unrecognised' };
  if (first[1] === 'PermissionOrApiKey')
    return permissions.length === 1 ? { kind: 'permission', permission: permissions[0]!, apiKey: true } : { kind: 'unrecognised' };
  if (first[1] === 'Permission') return permissions.length === 1 ? { kind: 'permission', permission: permissions[0]! } : { kind: 'unrecognised' };
  return { kind: 'any-permission', permissions: permissions as Permission[] };
}

export function apiRoutes(): ApiRoute[] {
  return routeFiles(path.join(ROOT, 'app/api'))
    .sort()
    .flatMap((full) => {
      const file = path.relative(ROOT, full);
      const pattern =
        '/' +
        path
          .dirname(path.relative(path.join(ROOT, 'app'), full))
          .split(path.sep)
          .join('/');
      return [...handlerSources(readFileSync(full, 'utf8'))].map(([method, handler]) => {
        const publicWhy = PUBLIC_ROUTES[`${method} ${pattern}`];
        const gate: RouteGate = publicWhy ? { kind: 'public', why: publicWhy } : gateOf(handler);
        return { file, method, pattern, gate };
      });
    });
}

/** A concrete URL for a pattern: ids that exist nowhere, tile coordinates inside London. */
export function concretePath(pattern: string): string {
  return pattern
    .replace('[[...unknown]]', 'no-such-route/at-all')
    .replace('[z]/[x]/[y]', '12/2046/1361')
    .replace(/\[(\w+)\]/g, (_, name: string) => `no-such-${name.toLowerCase()}`);
}
