import { BlockList, isIP } from 'node:net';

/**
 * Which address a request came from. server.ts stamps every request with it (replacing any value
 * the client sent), because Next's handlers cannot see the socket.
 *
 * Behind reverse proxies (TRUST_PROXY) the address is read from X-Forwarded-For **from the right**:
 * each proxy appends the address it received the request from, so the right-most entries are
 * written by proxies we trust and everything to their left was sent by the client and may be
 * forged. Taking the left-most entry (as Sightline once did) let any client choose its address,
 * escape the per-address sign-in limit and write a made-up address into the audit trail.
 */
export const CLIENT_IP_HEADER = 'x-sightline-client-ip';

export function clientIpFrom(headers: Headers | { get(name: string): string | null }): string | null {
  return headers.get(CLIENT_IP_HEADER);
}

/**
 * TRUST_PROXY, parsed:
 * - `none`: no proxy; X-Forwarded-* headers are ignored (and removed before Next sees them).
 * - `hops`: this many proxies in front, each appending to X-Forwarded-For; whoever connects is
 *   taken to be the nearest one (so the app must be reachable only through them).
 * - `addresses`: the proxies' own addresses (or CIDR ranges); X-Forwarded-For is read only when the
 *   connection comes from one of them, skipping every listed proxy from the right.
 */
export type ProxyTrust = { kind: 'none' } | { kind: 'hops'; hops: number } | { kind: 'addresses'; proxies: BlockList; described: string };

export const MAX_PROXY_HOPS = 10;

const TRUST_PROXY_HELP =
  `expected false, true (one proxy), a number of proxies (1–${MAX_PROXY_HOPS}) or a comma-separated list of ` +
  "the proxies' addresses or CIDR ranges (e.g. 10.0.0.5, 192.168.1.0/24, ::1)";

/** Parses TRUST_PROXY; throws with a message naming the bad part (lib/config/env.ts stops the start with it). */
export function parseTrustProxy(value: string | undefined): ProxyTrust {
  const text = (value ?? '').trim();
  if (text === '' || /^(false|0|no|off)$/i.test(text)) return { kind: 'none' };
  if (/^true$/i.test(text)) return { kind: 'hops', hops: 1 };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops > MAX_PROXY_HOPS) throw new Error(`${text} proxies is more than ${MAX_PROXY_HOPS}; ${TRUST_PROXY_HELP}`);
    return { kind: 'hops', hops };
  }
  const proxies = new BlockList();
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? null : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
    const maxBits = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== null && !(bits >= 0 && bits <= maxBits))) {
      throw new Error(`"${entry}" is not an IP address or CIDR range; ${TRUST_PROXY_HELP}`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === null) proxies.addAddress(address, type);
    else proxies.addSubnet(address, bits, type);
    // A proxy on IPv4 may reach a dual-stack listener as ::ffff:a.b.c.d; list that form too.
    if (family === 4) {
      if (bits === null) proxies.addAddress(`::ffff:${address}`, 'ipv6');
      else proxies.addSubnet(`::ffff:${address}`, 96 + bits, 'ipv6');
    }
  }
  return { kind: 'addresses', proxies, described: entries.join(', ') };
}

function isListedProxy(address: string, proxies: BlockList): boolean {
  const family = isIP(address);
  return family !== 0 && proxies.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Whether the directly connected peer is one of the trusted proxies (so its X-Forwarded-* headers count). */
export function peerIsTrustedProxy(peer: string | undefined, trust: ProxyTrust): boolean {
  if (trust.kind === 'none') return false;
  if (trust.kind === 'hops') return trust.hops > 0;
  return isListedProxy(peer ?? '', trust.proxies);
}

/** X-Forwarded-For as a list, left (client side) to right (nearest proxy); node joins repeated headers with commas. */
export function forwardedChain(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(',') : (header ?? '');
  return joined
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

/**
 * The client's address: the socket's peer, or, behind trusted proxies, the address the outermost
 * trusted proxy received the request from. Never an entry only the client could have written.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  const direct = peer ?? '';
  if (!peerIsTrustedProxy(direct, trust)) return direct;
  const chain = forwardedChain(forwardedFor);
  if (trust.kind === 'hops') {
    // The nearest proxy wrote the last entry, the one before it the entry before, and so on:
    // `hops` proxies wrote the last `hops` entries, and the left-most of those is the client as
    // the outermost proxy saw it. A shorter chain came through fewer proxies: its first entry was
    // still written by one of ours.
    if (chain.length === 0) return direct;
    return chain[Math.max(0, chain.length - trust.hops)]!;
  }
  if (trust.kind === 'none') return direct;
  // Listed proxies: walk from the right past every address that is one of ours.
  let address = direct;
  for (let i = chain.length - 1; i >= 0 && isListedProxy(address, trust.proxies); i--) address = chain[i]!;
  return address;
}

/**
 * A value of a proxy-set header (X-Forwarded-Proto / X-Forwarded-Host) as the nearest trusted proxy
 * wrote it: its right-most entry, for the same reason as X-Forwarded-For.
 */
export function lastForwardedValue(header: string | string[] | undefined): string | undefined {
  return forwardedChain(header).at(-1);
}
