import { z } from 'zod';

/**
 * Runs in the browser before the app's own code. zod (the schemas shared with the server) probes
 * whether it may compile validators with `new Function`; under Sightline's Content-Security-Policy,
 * which allows no eval (lib/http/security-headers.ts), that probe is refused and reported as a
 * violation. Telling zod up front not to compile keeps the policy quiet; validation is the same.
 */
z.config({ jitless: true });
