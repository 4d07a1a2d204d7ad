import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { recordAuditEvent } from '@/lib/audit/mutations';
import { sessionStillValid } from '@/lib/auth/session-cookie';
import { checkSignIn } from '@/lib/auth/sign-in';
import { serverEnv } from '@/lib/config/env';
import { clientIpFrom } from '@/lib/http/client-ip';

/** Shown to the person as "too many attempts"; the code is safe to put in a URL. */
class RateLimitedSignIn extends CredentialsSignin {
  override code = 'rate_limited';
}

declare module 'next-auth' {
  interface Session {
    user: { id: string; role: string; email: string; name: string };
  }
}

export const { handlers, auth, signIn, signOut } = NextAuth({
  // server.ts serves one host name; Auth.js takes the origin from the request.
  trustHost: true,
  session: { strategy: 'jwt', maxAge: Math.round(serverEnv().SESSION_MAX_AGE_HOURS * 3600) },
  pages: { signIn: '/login', error: '/login' },
  providers: [
    Credentials({
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, request) {
        const result = await checkSignIn(credentials, clientIpFrom(request.headers));
        if (result.ok) return result.user;
        if (result.reason === 'rate_limited') throw new RateLimitedSignIn();
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      // Only the id matters: every request reloads the user (lib/auth/session-user.ts).
      if (user?.id) {
        token.sub = user.id;
        token.signedInAt = Date.now();
      }
      // A session lasts one shift from sign-in, however active it is (Auth.js alone would
      // slide the expiry forward on every request).
      if (!sessionStillValid(token.signedInAt)) return null;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      if (token?.sub) {
        await recordAuditEvent({ action: 'auth.signed_out', actorId: token.sub, actorEmail: token.email ?? null });
      }
    },
  },
  logger: {
    // A wrong password is routine and already audited; keep it out of the error log.
    error(error) {
      // (class names are minified in the production build; the type survives)
      if ((error as { type?: string }).type === 'CredentialsSignin') return;
      console.error('[auth]', error);
    },
  },
});

