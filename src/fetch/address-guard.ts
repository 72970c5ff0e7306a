/**
 * The address guard's pure half: which network addresses a fetch may connect to. The I/O half
 * (guarded-lookup.ts) calls `isAllowed` on every address DNS returns, inside the lookup that the socket
 * then connects with, so the address checked is the address connected to.
 *
 * Anything that is not plainly global unicast is refused by default: loopback, RFC 1918, link-local (where
 * cloud metadata lives, 169.254.169.254), CGNAT, unique-local, multicast, broadcast, unspecified (0.0.0.0
 * reaches localhost on Linux), documentation/benchmarking/reserved blocks, and IPv6 forms that embed one of
 * those IPv4 addresses (IPv4-mapped, IPv4-compatible, NAT64, 6to4).
 */
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { UserError } from '../errors.js';

export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'carrier-grade-nat'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'unspecified'
  | 'reserved'
  | 'invalid';

export interface AddressPolicy {
  /** Allow every address (the guard is off). */
  allowPrivate: boolean;
  /** Non-public addresses that are allowed anyway (public ones are always allowed). */
  allowCidrs: readonly Cidr[];
}

export interface Cidr {
  readonly text: string;
  readonly range: [ipaddr.IPv4 | ipaddr.IPv6, number];
}

export const DEFAULT_ADDRESS_POLICY: AddressPolicy = { allowPrivate: false, allowCidrs: [] };

const IPV4_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  loopback: 'loopback',
  private: 'private',
  linkLocal: 'link-local',
  carrierGradeNat: 'carrier-grade-nat',
  multicast: 'multicast',
  broadcast: 'broadcast',
  unspecified: 'unspecified',
};

const IPV6_CLASSES: Record<string, AddressClass> = {
  unicast: 'public',
  loopback: 'loopback',
  linkLocal: 'link-local',
  uniqueLocal: 'unique-local',
  multicast: 'multicast',
  unspecified: 'unspecified',
};

/** What kind of address `ip` (a literal, IPv4 or IPv6, brackets allowed) is. */
export function classifyAddress(ip: string): AddressClass {
  const parsed = parseLiteral(ip);
  if (!parsed) return 'invalid';
  return classifyParsed(parsed);
}

function classifyParsed(addr: ipaddr.IPv4 | ipaddr.IPv6): AddressClass {
  if (addr.kind() === 'ipv4') return IPV4_CLASSES[(addr as ipaddr.IPv4).range()] ?? 'reserved';
  const v6 = addr as ipaddr.IPv6;
  const embedded = embeddedIpv4(v6);
  if (embedded) {
    // The packet ends up at the embedded IPv4 address, so that address decides.
    return classifyParsed(embedded);
  }
  if (((v6.parts[0] ?? 0) & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local fec0::/10
  return IPV6_CLASSES[v6.range()] ?? 'reserved';
}

/** The IPv4 address an IPv6 address stands for, when it is one of the forms that reach IPv4 hosts. */
function embeddedIpv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const fromParts = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address(); // ::ffff:a.b.c.d
  const range = v6.range();
  if (range === 'rfc6052' || range === 'rfc6145') return fromParts(p[6] ?? 0, p[7] ?? 0); // NAT64 64:ff9b::/96
  if (range === '6to4') return fromParts(p[1] ?? 0, p[2] ?? 0); // 2002:aabb:ccdd::/48
  // IPv4-compatible ::a.b.c.d (deprecated; :: and ::1 are handled as themselves).
  const hi = p[6] ?? 0;
  const lo = p[7] ?? 0;
  if (p.slice(0, 6).every((x) => x === 0) && (hi !== 0 || lo > 1)) return fromParts(hi, lo);
  return undefined;
}

/** True when the policy lets a fetch connect to `ip`. */
export function isAllowed(ip: string, policy: AddressPolicy): boolean {
  const parsed = parseLiteral(ip);
  if (!parsed) return false;
  if (policy.allowPrivate) return true;
  if (classifyParsed(parsed) === 'public') return true;
  const forms: (ipaddr.IPv4 | ipaddr.IPv6)[] = [parsed];
  if (parsed.kind() === 'ipv6') {
    const embedded = embeddedIpv4(parsed as ipaddr.IPv6);
    if (embedded) forms.push(embedded);
  }
  return policy.allowCidrs.some((cidr) => forms.some((f) => f.kind() === cidr.range[0].kind() && f.match(cidr.range)));
}

/** Why `ip` is refused, for the result's detail (e.g. `169.254.169.254 is link-local`). */
export function refusalReason(ip: string): string {
  const cls = classifyAddress(ip);
  return cls === 'invalid' ? `${ip} is not an IP address` : `${ip} is ${cls}`;
}

/** Parses `--allow-cidr` values (`127.0.1.0/24`, `fd00::/8`; a bare address means just that address). */
export function parseCidrs(values: readonly string[], flag = '--allow-cidr'): Cidr[] {
  return values.map((raw) => {
    const text = raw.trim();
    const withPrefix = text.includes('/') ? text : `${text}/${isIP(text) === 6 ? 128 : 32}`;
    try {
      const range = ipaddr.parseCIDR(withPrefix);
      if (!isIP(withPrefix.slice(0, withPrefix.indexOf('/')))) throw new Error('not a literal');
      return { text, range };
    } catch {
      throw new UserError(`${flag}: '${raw}' is not a CIDR block (examples: 127.0.1.0/24, 10.0.0.5, fd00::/8)`, 'usage.bad-cidr');
    }
  });
}

/** A strict IP literal (dotted quad or IPv6, optionally in brackets, no zone ids) or undefined. */
function parseLiteral(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const text = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  // net.isIP refuses the shorthand forms ("127.1") that ipaddr.js would accept.
  if (isIP(text) === 0 || text.includes('%')) return undefined;
  return ipaddr.parse(text);
}
