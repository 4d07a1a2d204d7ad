/** @type {import('next').NextConfig} */
const nextConfig = {
  // A separate build folder lets several builds (and their test servers) coexist on one machine.
  distDir: process.env.NEXT_DIST_DIR || '.next',
  // Native and Node-only packages stay outside the bundle; server.ts shares them.
  serverExternalPackages: [
    'better-sqlite3',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
    'pg',
    '@node-rs/argon2',
    'socket.io',
    '@vladmandic/face-api',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    '@napi-rs/canvas',
    'onnxruntime-node',
  ],
  // forbidden() renders app/forbidden.tsx with a real 403 status.
  experimental: { authInterrupts: true },
  poweredByHeader: false,
};

export default nextConfig;
