/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the bundle; server.ts shares them.
  serverExternalPackages: [
    'better-sqlite3',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'pg',
    '@node-rs/argon2',
    'socket.io',
  ],
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
  // Two tsconfig-checked entry points (server.ts and next) share lib/; the type check runs in `npm run typecheck`.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
