/**
 * server.ts stamps every request with the address it came from (replacing any value the
 * client sent), because Next's handlers cannot see the socket. Behind a trusted proxy it
 * takes the first X-Forwarded-For hop instead (TRUST_PROXY=true).
 */
export const CLIENT_IP_HEADER = 'x-sightline-client-ip';

export function clientIpFrom(headers: Headers | { get(name: string): string | null }): string | null {
  return headers.get(CLIENT_IP_HEADER);
}
