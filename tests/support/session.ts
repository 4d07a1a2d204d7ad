import type { HumanRole } from '@/lib/auth/permissions';

/**
 * A minimal HTTP client with a cookie jar that signs in through Auth.js's own endpoints,
 * exactly as a browser form would (CSRF token, credentials callback).
 */
export class Session {
  private cookies = new Map<string, string>();

  constructor(
    readonly baseUrl: string,
    readonly headers: Record<string, string> = {},
  ) {}

  /** The same signed-in user (the same cookie jar) talking to another address: another instance of a cluster. */
  at(baseUrl: string): Session {
    const other = new Session(baseUrl, this.headers);
    other.cookies = this.cookies;
    return other;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  has(cookieName: string): boolean {
    return this.cookies.has(cookieName);
  }

  private remember(response: Response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (value === '' || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async fetch(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [k, v] of Object.entries(this.headers)) headers.set(k, v);
    if (this.cookies.size) headers.set('cookie', this.cookieHeader());
    const response = await fetch(this.baseUrl + path, { ...init, headers, redirect: 'manual' });
    this.remember(response);
    return response;
  }

  json(path: string, method: string, body: unknown): Promise<Response> {
    return this.fetch(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  /** Returns the Location Auth.js redirected to; success has no `error=` in it. */
  async signIn(email: string, password: string): Promise<{ ok: boolean; location: string }> {
    const csrf = (await (await this.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    const response = await this.fetch('/api/auth/callback/credentials', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email, password, csrfToken: csrf.csrfToken, callbackUrl: this.baseUrl + '/' }),
    });
    const location = response.headers.get('location') ?? '';
    return { ok: response.status === 302 && !location.includes('error='), location };
  }

  async signOut(): Promise<void> {
    const csrf = (await (await this.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    await this.fetch('/api/auth/signout', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrfToken: csrf.csrfToken, callbackUrl: this.baseUrl + '/login' }),
    });
  }
}

export const DEMO_PASSWORD = 'sightline-demo';

/** One demo account per role (scripts/seed.ts --demo). */
export const DEMO_EMAIL = {
  operator: 'operator@sightline.test',
  senior_officer: 'officer@sightline.test',
  admin: 'admin@sightline.test',
  auditor: 'auditor@sightline.test',
} as const satisfies Record<HumanRole, string>;

/**
 * Creates an account as an admin and takes it through its first sign-in as its holder would:
 * sign in with the temporary password the admin chose, then choose their own (until then the
 * account may do nothing else). Returns the signed-in session (with its own password) and the id.
 */
export async function createAccount(
  admin: Session,
  account: { email: string; name: string; role: HumanRole },
  { temporaryPassword = 'temporary-password-1', password = `${account.email}-own-password` } = {},
): Promise<{ id: string; session: Session; password: string }> {
  const created = await admin.json('/api/users', 'POST', { ...account, password: temporaryPassword });
  if (created.status !== 201) throw new Error(`create ${account.email}: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const session = new Session(admin.baseUrl, admin.headers);
  if (!(await session.signIn(account.email, temporaryPassword)).ok) throw new Error(`${account.email} could not sign in`);
  const changed = await session.json('/api/me/password', 'POST', { currentPassword: temporaryPassword, newPassword: password });
  if (changed.status !== 200) throw new Error(`${account.email} could not set a password: ${changed.status} ${await changed.text()}`);
  return { id, session, password };
}
