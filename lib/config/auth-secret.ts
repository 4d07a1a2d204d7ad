import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { authSecretProblem } from './env';

/**
 * Makes sure AUTH_SECRET is set before Next and Auth.js start, and returns it.
 * Production refuses to start without a real one. Development (and the demo, which
 * passes allowGenerated) keeps a random secret in data/ so sessions survive restarts.
 */
export function prepareAuthSecret({ production, allowGenerated = !production }: { production: boolean; allowGenerated?: boolean }): string {
  const configured = process.env.AUTH_SECRET;
  const problem = authSecretProblem(configured);
  if (!problem) return configured!;
  if (configured && production) throw new Error(`Refusing to start: ${problem}.`);
  if (!allowGenerated) throw new Error(`Refusing to start in production: ${problem}. Set a random AUTH_SECRET.`);

  const file = path.join(process.cwd(), 'data', 'auth-secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  const secret = readFileSync(file, 'utf8').trim();
  process.env.AUTH_SECRET = secret;
  return secret;
}
