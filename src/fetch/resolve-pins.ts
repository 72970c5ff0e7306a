/**
 * `--resolve host:port:address[,address...]`, as in curl: answers for chosen names and ports that bypass DNS,
 * so tests and operators can point a name at a chosen server. The pinned addresses still go through the
 * address guard. `*` as the port pins the name for every port.
 */
import { isIP } from 'node:net';
import { UserError } from '../errors.js';

export interface ResolvePin {
  /** Lowercase host name. */
  host: string;
  /** The port it applies to, or '*' for every port. */
  port: number | '*';
  addresses: string[];
}

export function parseResolvePins(values: readonly string[], flag = '--resolve'): ResolvePin[] {
  return values.map((raw) => {
    const m = /^\s*([^:\s]+):(\d{1,5}|\*):(.+?)\s*$/.exec(raw);
    const addresses = (m?.[3] ?? '').split(',').map((a) => a.trim().replace(/^\[(.*)\]$/, '$1'));
    const port = m?.[2] === '*' ? '*' : Number(m?.[2]);
    if (!m || addresses.some((a) => isIP(a) === 0) || (port !== '*' && (port < 1 || port > 65535))) {
      throw new UserError(`${flag}: '${raw}' is not host:port:address (examples: example.com:443:203.0.113.7, test.local:*:[::1])`, 'usage.bad-resolve');
    }
    return { host: (m[1] ?? '').toLowerCase(), port, addresses };
  });
}

/** The pinned addresses for `host` on `port`, an exact port winning over '*'; undefined when not pinned. */
export function pinnedAddresses(pins: readonly ResolvePin[], host: string, port: number): string[] | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  return (pins.find((p) => p.host === name && p.port === port) ?? pins.find((p) => p.host === name && p.port === '*'))?.addresses;
}
