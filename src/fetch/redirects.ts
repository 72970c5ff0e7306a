/**
 * Redirect decisions (pure). Redirects are followed by the fetcher itself, one guarded hop at a time.
 * Too many redirects, a loop, or a Location that is not an http(s) URL end the fetch as an error with reason
 * `redirect`: not retried, because the same chain would come back.
 */

export type RedirectDecision = { kind: 'follow'; url: URL } | { kind: 'error'; detail: string };

/** A URL as it goes on the wire (the fragment is never sent), for loop detection. */
export function wireForm(url: URL): string {
  const copy = new URL(url.href);
  copy.hash = '';
  return copy.href;
}

/**
 * Where a redirect from `current` with `location` leads, given the URLs already requested (`visited`, in
 * wireForm) and the redirects already followed.
 */
export function nextHop(current: URL, location: string, visited: ReadonlySet<string>, followed: number, maxRedirects: number): RedirectDecision {
  let next: URL;
  try {
    next = new URL(location, current);
  } catch {
    return { kind: 'error', detail: `redirect to an unparsable Location '${clip(location)}'` };
  }
  if (next.protocol !== 'http:' && next.protocol !== 'https:') {
    return { kind: 'error', detail: `redirect to a ${next.protocol} URL (only http and https are fetched)` };
  }
  if (visited.has(wireForm(next))) return { kind: 'error', detail: `redirect loop: ${clip(wireForm(next))} was already requested` };
  if (followed >= maxRedirects) return { kind: 'error', detail: `more than ${maxRedirects} redirects (next: ${clip(next.href)})` };
  return { kind: 'follow', url: next };
}

function clip(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
