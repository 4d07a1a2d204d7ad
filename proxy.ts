import { NextResponse, type NextRequest } from 'next/server';

/**
 * An optimistic redirect only: a visitor without any session cookie is sent to /login
 * before a page renders. The real checks are on the server, in every page and route
 * (lib/auth/guards.ts); this file decides nothing about roles.
 */
const SESSION_COOKIES = ['authjs.session-token', '__Secure-authjs.session-token'];

export function proxy(request: NextRequest) {
  const hasSession = SESSION_COOKIES.some((name) => request.cookies.has(name));
  if (hasSession) return NextResponse.next();
  const login = new URL('/login', request.url);
  const wanted = request.nextUrl.pathname + request.nextUrl.search;
  if (wanted !== '/') login.searchParams.set('next', wanted);
  return NextResponse.redirect(login);
}

export const config = {
  // Pages only: API routes answer 401 themselves; static files (incl. /geo map data, /vendor face
  // models), /login and the /dev/ previews stay open. `dev/`, `geo/` and `vendor/` keep their slash
  // so /devices etc. stay guarded.
  matcher: ['/((?!api|_next/static|_next/image|favicon.ico|login|fixtures|dev/|geo/|vendor/).*)'],
};
