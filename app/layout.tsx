import type { Metadata, Viewport } from 'next';
import { connection } from 'next/server';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Sightline', template: '%s · Sightline' },
  description: 'An accountable control room for live facial recognition deployments.',
};

export const viewport: Viewport = { colorScheme: 'dark', themeColor: '#0b0f14' };

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request, the 404 page included: Next stamps its inline scripts with the
  // Content-Security-Policy nonce of that request (lib/http/security-headers.ts), which a page
  // prerendered at build time could not carry.
  await connection();
  return (
    <html lang="en-GB">
      <body>{children}</body>
    </html>
  );
}
