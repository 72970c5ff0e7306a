/**
 * Checks a bootstrap list (`host:port,host:port`) before any client sees it: librdkafka accepts
 * `localhost:36543x` silently and connects somewhere else, so a mistyped address is a usage error here, with
 * the setting it came from in its one-line message. Pure.
 */
import { UserError } from '../errors.js';

/**
 * One address: an optional `proto://`, then a host name, an IPv4 address or a bracketed IPv6 one, then an
 * optional port (librdkafka's default 9092 applies without one).
 */
const ADDRESS = /^(?:[A-Za-z_]+:\/\/)?(\[[0-9A-Fa-f:.]+\]|[^\s:/[\],]+)(?::([^:]*))?$/;

/** Why `list` is not a bootstrap list, or undefined when it is one. */
export function bootstrapProblem(list: string): string | undefined {
  const entries = list.split(',').map((e) => e.trim());
  if (entries.every((e) => e === '')) return 'no address given';
  for (const entry of entries) {
    if (entry === '') return `an empty address in '${list}'`;
    const m = ADDRESS.exec(entry);
    if (!m) return `'${entry}' is not host:port`;
    const port = m[2];
    if (port !== undefined && (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535)) {
      return `'${entry}' has a bad port '${port}' (a number from 1 to 65535)`;
    }
  }
  return undefined;
}

/** Throws a usage error (exit 2) naming `source` (`--brokers`, `KSCRAPE_BROKERS`, ...) when `list` is not valid. */
export function checkBootstrapServers(list: string, source: string): void {
  const problem = bootstrapProblem(list);
  if (problem) throw new UserError(`${source}: ${problem}`, 'config.bad-brokers');
}
