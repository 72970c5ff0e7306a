/**
 * "The host of a URL", in the two senses kscrape needs, side by side so they are never confused.
 * Both are WHATWG URL's (lowercase, IDN as punycode, IPv6 in brackets); they differ only in the port:
 *
 * - `hostKey`: the envelope's `host` and the urls topic's message key, which the partitioner hashes. It keeps
 *   a non-default port (`shop.test:8080`), so two servers on one machine are two queues and two partitions,
 *   and what `produce`, the partition audit and `dlq retry` compute for one URL is the same key.
 * - `politenessHost`: the host name without any port, which politeness is about: the limiter's `host:<name>`
 *   rules and --host-rate names, robots.txt's Crawl-delay for a site (it speaks for every scheme and port),
 *   and the worker's scheduler queues. Two ports of one machine are one host to be polite to.
 */

/** The partition / queue key of a parsed URL: host name plus the port when not the scheme's default. */
export function hostKeyOf(url: URL): string {
  return url.host;
}

/** The partition / queue key of an http(s) URL's text, or null when it is not one (or has no host). */
export function hostKey(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return hostKeyOf(url) || null;
}

/** The politeness host of a parsed URL: its host name, no port. */
export function politenessHostOf(url: URL): string {
  return url.hostname;
}

/**
 * The politeness host of a URL or a bare host (`Shop.test:8080`, `[::1]:81`, `bücher.example`), or undefined
 * when it does not parse; callers decide what an unparsable one means (the limiter keeps it lowercased,
 * robots.txt matches nothing).
 */
export function politenessHost(urlOrHost: string): string | undefined {
  try {
    return politenessHostOf(new URL(urlOrHost.includes('://') ? urlOrHost : `http://${urlOrHost}`));
  } catch {
    return undefined;
  }
}
