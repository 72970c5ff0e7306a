/**
 * The address guard's I/O half: a `lookup` function for sockets (got's `dnsLookup`) that resolves a name
 * (or takes its `--resolve` pin), drops every address the policy refuses and fails with a BlockedAddressError
 * when none is left. Because the socket connects to what this function returns, there is no window between
 * the check and the connect in which DNS could answer differently (rebinding).
 *
 * Literal IP hosts never reach a lookup function (Node connects to them directly), so the fetcher checks
 * those itself with `checkLiteralHost` before each request.
 */
import dns from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { isAllowed, refusalReason, type AddressPolicy } from './address-guard.js';
import { pinnedAddresses, type ResolvePin } from './resolve-pins.js';

/** The error code a refused address carries through got's RequestError. */
export const BLOCKED_ADDRESS_CODE = 'EKSCRAPE_BLOCKED_ADDRESS';

export class BlockedAddressError extends Error {
  readonly code = BLOCKED_ADDRESS_CODE;
  constructor(readonly host: string, readonly addresses: readonly string[]) {
    super(`${addresses.length === 1 && addresses[0] === host.replace(/^\[(.*)\]$/, '$1') ? '' : `${host}: `}${addresses.map(refusalReason).join(', ')} (refused by the address guard; see --allow-cidr)`);
    this.name = 'BlockedAddressError';
  }
}

export interface GuardedLookupOptions {
  policy: AddressPolicy;
  pins: readonly ResolvePin[];
  /** The port being connected to (lookup functions are not told), for port-specific pins. */
  port: number;
  /** The system resolver; replaceable in tests. */
  resolver?: typeof dns.lookup;
}

export function createGuardedLookup({ policy, pins, port, resolver = dns.lookup }: GuardedLookupOptions): LookupFunction {
  return (hostname, options, callback) => {
    const deliver = (addresses: dns.LookupAddress[]) => {
      const allowed = addresses.filter((a) => isAllowed(a.address, policy));
      if (allowed.length === 0) {
        callback(new BlockedAddressError(hostname, addresses.map((a) => a.address)), options.all ? [] : '');
        return;
      }
      if (options.all) callback(null, allowed);
      else callback(null, allowed[0]!.address, allowed[0]!.family);
    };
    const pinned = pinnedAddresses(pins, hostname, port);
    if (pinned) {
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const answers = pinned.map((address) => ({ address, family: isIP(address) }));
      const fitting = family === 4 || family === 6 ? answers.filter((a) => a.family === family) : answers;
      process.nextTick(deliver, fitting.length ? fitting : answers);
      return;
    }
    resolver(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) callback(err, options.all ? [] : '');
      else deliver(addresses as dns.LookupAddress[]);
    });
  };
}

/** For a URL whose host is an IP literal: the BlockedAddressError to report, or undefined when allowed. */
export function checkLiteralHost(hostname: string, policy: AddressPolicy): BlockedAddressError | undefined {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) === 0) return undefined;
  return isAllowed(bare, policy) ? undefined : new BlockedAddressError(hostname, [bare]);
}
