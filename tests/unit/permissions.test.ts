import { describe, expect, it } from 'vitest';
import { can, HUMAN_ROLES, isHumanRole, isRole, PERMISSIONS, ROLES, type Permission, type Role } from '@/lib/auth/permissions';

// Written out from docs/rules.md#roles independently of the table, cell by cell: O operator,
// S senior officer, A admin, U auditor, C camera agent (a service account).
const EXPECTED: Record<Permission, string> = {
  'audit:read': 'AU',
  'user:manage': 'A',
  'watchlist:read': 'SA',
  'watchlist:manage': 'A',
  'reference-image:view': 'A',
  'deployment:read': 'OSU',
  'deployment:plan': 'S',
  'deployment:authorise': 'S',
  'deployment:suspend': 'S',
  'live:view': 'OS',
  'probe:submit': 'OSC',
  'alert:read': 'OS',
  'alert:triage': 'O',
  'alert:release-any': 'S',
  'alert:retain': 'OS',
  'report:read': 'SU',
  // Calibrations hold counts and score histograms, never faces: readable by those who plan,
  // curate or audit; run and chosen by admins.
  'recognition:read': 'SAU',
  'recognition:manage': 'A',
  // A camera-wall page analyses the cameras it holds, like an agent.
  'camera:lease': 'OSC',
  // The force's name on published records.
  'settings:manage': 'A',
};
const LETTER: Record<Role, string> = { operator: 'O', senior_officer: 'S', admin: 'A', auditor: 'U', camera_agent: 'C' };

describe('permission table', () => {
  it('covers every permission in the expectation', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...PERMISSIONS].sort());
  });

  for (const role of ROLES) {
    for (const permission of PERMISSIONS) {
      const allowed = EXPECTED[permission].includes(LETTER[role]);
      it(`${role} ${allowed ? 'may' : 'may not'} ${permission}`, () => {
        expect(can(role, permission)).toBe(allowed);
      });
    }
  }

  it('never lets an auditor see faces or change anything', () => {
    const auditorWrites = PERMISSIONS.filter((p) => can('auditor', p) && !p.endsWith(':read'));
    expect(auditorWrites).toEqual([]);
    expect(can('auditor', 'reference-image:view')).toBe(false);
  });

  it('keeps admins out of authorisation and triage, operators out of watchlists', () => {
    expect(can('admin', 'deployment:authorise')).toBe(false);
    expect(can('admin', 'alert:triage')).toBe(false);
    expect(can('operator', 'watchlist:manage')).toBe(false);
    expect(can('operator', 'deployment:authorise')).toBe(false);
  });

  it('gives a camera agent nothing but sending faces and holding leases, and never offers it to people', () => {
    expect(PERMISSIONS.filter((p) => can('camera_agent', p))).toEqual(['probe:submit', 'camera:lease']);
    expect(isRole('camera_agent')).toBe(true);
    expect(isHumanRole('camera_agent')).toBe(false);
    expect(HUMAN_ROLES).not.toContain('camera_agent');
    expect(ROLES).toContain('camera_agent');
  });

  it('grants nothing to missing or unknown roles', () => {
    expect(can(null, 'audit:read')).toBe(false);
    expect(can(undefined, 'live:view')).toBe(false);
    expect(can('root' as Role, 'user:manage')).toBe(false);
    expect(isRole('root')).toBe(false);
    expect(isRole('auditor')).toBe(true);
  });
});
