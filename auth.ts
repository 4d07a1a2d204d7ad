import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { sessionStillValid } from '@/lib/auth/session-cookie';
import { checkSignIn } from '@/lib/auth/sign-in';
import { serverEnv } from '@/lib/config/env';
import { clientIpFrom } from '@/lib/http/client-ip';
import { findLiveSession } from '@/lib/sessions/data';
import { signOutSession, startSession } from '@/lib/sessions/mutations';

/** Shown to the person as "too many attempts"; the code is safe to put in a URL. */
class RateLimitedSignIn extends CredentialsSignin {
  override code = 'rate_limited';
}

declare module 'next-auth' {
  interface Session {
    user: { id: string; role: string; email: string; name: string };
  }
  interface User {
    /** The password hash the sign-in proved; used once to open the session, never put in the token. */
    passwordHash?: string;
  }
}

declare module 'next-auth/jwt' {
  interface JWT {
    /** The server-side session (lib/sessions): only inside the encrypted cookie, never in the Session object. */
    sid?: string;
    signedInAt?: number;
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
    async jwt({ token, user }) {
      // At sign-in: open the server-side session whose id the cookie carries. Only the ids
      // matter: every request reloads the session and its user (lib/auth/session-user.ts).
      if (user?.id) {
        const now = new Date();
        // Null when the password changed or the account was disabled since the password was checked.
        const session = await startSession(user.id, user.passwordHash ?? '', now);
        if (!session) return null;
        token.sub = user.id;
        token.sid = session.id;
        token.signedInAt = now.getTime();
        return token;
      }
      // A session lasts one shift from sign-in, however active it is (Auth.js alone would
      // slide the expiry forward on every request), and not a moment after it was ended.
      if (!sessionStillValid(token.signedInAt) || typeof token.sid !== 'string') return null;
      const live = await findLiveSession(token.sid);
      return live && live.user.id === token.sub && !live.user.disabled ? token : null;
    },
    session({ session, token }) {
      // Only the user id: this object is served to browser JavaScript (/api/auth/session).
      if (token.sub) session.user.id = token.sub;
      return session;
    },
  },
  events: {
    // Ends the session everywhere (its sockets too) and records the sign-out.
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      if (typeof token?.sid === 'string') await signOutSession(token.sid);
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
