/**
 * Crawl scope: whether a discovered link belongs to the crawl, judged against the seed it descends from (the
 * envelope's `seed`, the seed's own URL for a seed). Pure, so every rule unit-tests.
 *
 * - host (default): the seed's host exactly (port included: 127.0.1.1:8080 is not 127.0.1.1:9090);
 * - domain: the seed's registrable domain, subdomains included (`shop.example.co.uk` ~ `www.example.co.uk`);
 * - prefix: URLs under the seed's directory (`https://h/docs/intro` → `https://h/docs/...`);
 * - any: every http(s) URL (depth, caps and traps still end the crawl).
 * Then `--exclude` (any match refuses) and `--include` (when given, one must match), on the normalized URL.
 */
export const SCOPE_MODES = ['host', 'domain', 'prefix', 'any'] as const;
export type ScopeMode = (typeof SCOPE_MODES)[number];

export interface ScopeRules {
  mode: ScopeMode;
  include: readonly RegExp[];
  exclude: readonly RegExp[];
}

export type ScopeRefusal = 'out-of-scope' | 'excluded' | 'not-included';

/** Why `link` is outside the crawl started at `seed`, or undefined when it is inside. Both are normalized URLs. */
export function scopeRefusal(link: URL, seed: URL, rules: ScopeRules): ScopeRefusal | undefined {
  if (!inMode(link, seed, rules.mode)) return 'out-of-scope';
  const href = link.href;
  if (rules.exclude.some((re) => re.test(href))) return 'excluded';
  if (rules.include.length > 0 && !rules.include.some((re) => re.test(href))) return 'not-included';
  return undefined;
}

function inMode(link: URL, seed: URL, mode: ScopeMode): boolean {
  switch (mode) {
    case 'any':
      return true;
    case 'host':
      return link.host === seed.host;
    case 'domain':
      return registrableDomain(link.hostname) === registrableDomain(seed.hostname);
    case 'prefix':
      return link.origin === seed.origin && link.pathname.startsWith(directoryOf(seed.pathname));
  }
}

/** `/docs/intro` → `/docs/`, `/docs/` → `/docs/`. */
export function directoryOf(pathname: string): string {
  return pathname.slice(0, pathname.lastIndexOf('/') + 1);
}

// Second-level labels under which registrations happen in two-letter country domains (example.co.uk, x.com.au).
// A heuristic, not the Public Suffix List: it answers the common cases without a dependency; a site under a
// private suffix (github.io) is taken as one domain, which only widens `--scope domain` there.
const SECOND_LEVEL = new Set(['co', 'com', 'net', 'org', 'gov', 'edu', 'ac', 'or', 'ne', 'go', 'gob', 'nic', 'mil', 'ltd', 'plc']);

/** The registrable domain of a host name: `a.b.example.com` → `example.com`; IP addresses are their own. */
export function registrableDomain(hostname: string): string {
  if (/^[\d.]+$/.test(hostname) || hostname.startsWith('[')) return hostname;
  const labels = hostname.split('.');
  if (labels.length <= 2) return hostname;
  const tld = labels[labels.length - 1]!;
  const second = labels[labels.length - 2]!;
  const keep = tld.length === 2 && SECOND_LEVEL.has(second) ? 3 : 2;
  return labels.slice(-keep).join('.');
}
