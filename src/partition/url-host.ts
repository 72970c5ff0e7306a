/**
 * The host key of a URL as the urls topic uses it (lowercase, punycode, port only when not the default),
 * via WHATWG URL. A stop-gap for the audit until src/fetch/normalize-url.ts (produce's validator) exists;
 * then the audit should use that one, so both agree on what a host is.
 */
export function hostOfUrl(text: string): string | null {
  const trimmed = text.trim();
  if (!trimmed) return null;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return url.host || null;
}
