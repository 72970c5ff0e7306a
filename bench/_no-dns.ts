/**
 * Preloaded (`--import`) into every crawler process of `bench/crawl.ts`: Node's resolver refuses every name, so a
 * host name the crawler was not told how to reach (kscrape's --resolve pins, the Crawlee runner's lookup) fails
 * that request here instead of sending a DNS query off this machine. The bench's names all end in `.test`.
 */
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const dns = require('node:dns') as Record<string, unknown> & { promises: Record<string, unknown> };
const refuse = (what: string) => () => { throw new Error(`bench: ${what} refused (no DNS in the crawl bench; pin the name)`); };
dns.lookup = refuse('dns.lookup');
dns.resolve = refuse('dns.resolve');
dns.promises.lookup = refuse('dns.promises.lookup');
for (const proto of [(dns.Resolver as { prototype: Record<string, unknown> }).prototype, (dns.promises.Resolver as { prototype: Record<string, unknown> }).prototype]) {
  for (const name of Object.getOwnPropertyNames(proto)) if (/^(resolve|reverse)/.test(name)) proto[name] = refuse(`Resolver.${name}`);
}
for (const name of Object.keys(dns)) if (/^resolve./.test(name)) dns[name] = refuse(`dns.${name}`);
for (const name of Object.keys(dns.promises)) if (/^resolve/.test(name)) dns.promises[name] = refuse(`dns.promises.${name}`);
syncBuiltinESMExports();
