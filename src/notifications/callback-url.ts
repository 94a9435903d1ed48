import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../domain/errors.js';

/**
 * Callback URLs may not point into the service's own network (SSRF): loopback, link-local,
 * private, carrier-grade NAT and unspecified addresses are refused unless the configured
 * allow-list names the host. Checked at subscription and again before every delivery, since a
 * name can resolve differently later.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback and IPv4-compatible (::a.b.c.d) addresses
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isBlockedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    return mapped ? blocked.check(mapped[1]!, 'ipv4') : blocked.check(address, 'ipv6');
  }
  return true;
}

export async function assertCallbackAllowed(callbackUrl: string, allowedHosts: readonly string[]): Promise<void> {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    throw invalid('is not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('must use https or http');
  if (url.username || url.password) throw invalid('must not contain credentials');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (allowedHosts.includes(host.toLowerCase())) return;
  const addresses = isIP(host) ? [host] : await lookup(host, { all: true }).then(
    (found) => found.map((entry) => entry.address),
    () => {
      throw invalid('does not resolve');
    },
  );
  if (addresses.length === 0 || addresses.some(isBlockedAddress)) {
    throw invalid('points to a loopback, link-local or private address');
  }
}

function invalid(message: string): DomainError {
  return new DomainError('VALIDATION_FAILED', `The callback URL ${message}.`, [{ path: '/callbackUrl', message }]);
}
