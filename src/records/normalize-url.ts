/**
 * The one definition of an acceptable URL, shared by `produce` (validation at the edge) and the worker.
 * Parsing is WHATWG URL's (what browsers and Node's fetch do), which already lowercases the host, turns IDN
 * hosts into punycode and drops default ports. On top of it kscrape refuses what a line-oriented URL list
 * should never contain and removes the fragment (it never reaches the server, so it only splits duplicates).
 * The host it returns is the envelope's `host` (./host.ts `hostKey`: port kept when not the default).
 */
import { hostKeyOf } from './host.js';

export const URL_REJECT_REASONS = [
  'too-long',
  'invalid-characters',
  'whitespace',
  'not-a-url',
  'unsupported-scheme',
  'no-host',
] as const;
export type UrlRejectReason = (typeof URL_REJECT_REASONS)[number];

/** Longer URLs are refused: most servers and CDNs refuse request lines much past 8 KiB anyway. */
export const DEFAULT_MAX_URL_LENGTH = 4096;

export type NormalizedUrl =
  | { ok: true; url: string; host: string }
  | { ok: false; reason: UrlRejectReason; detail: string };

export interface NormalizeOptions {
  /** Longest accepted URL in characters, after normalization. Default DEFAULT_MAX_URL_LENGTH. */
  maxLength?: number;
}

// Non-ASCII whitespace (ASCII is checked by code): inside a trimmed line, whitespace means two fields or a
// broken line, not a URL; WHATWG would percent-encode it.
const UNICODE_SPACE = /[\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

const rejected = (reason: UrlRejectReason, detail: string): NormalizedUrl => ({ ok: false, reason, detail });

// Written as loops over char codes rather than several regular expressions: this runs for every input line
// (10-100 M a day), and the checks cost more than WHATWG's own parse when done with regexes.
export function normalizeUrl(input: string, opts: NormalizeOptions = {}): NormalizedUrl {
  const maxLength = opts.maxLength ?? DEFAULT_MAX_URL_LENGTH;
  const text = input.trim();
  // Checked before parsing so that a huge line costs nothing to refuse.
  if (text.length > maxLength) return rejected('too-long', `${text.length} characters (limit ${maxLength})`);
  const bad = badCharacter(text);
  if (bad) return bad;
  const scheme = text.startsWith('https://') ? 'https' : text.startsWith('http://') ? 'http' : SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) return rejected('not-a-url', 'no scheme (expected http:// or https://)');
  if (scheme !== 'http' && scheme !== 'https') return rejected('unsupported-scheme', `scheme '${scheme}:' (only http and https)`);
  // WHATWG forgives `http:example.com` and `http:///x` (reading `x` as the host); a URL list should not.
  const authorityStart = scheme.length + 3;
  if (text.charCodeAt(authorityStart - 2) !== SLASH || text.charCodeAt(authorityStart - 1) !== SLASH) {
    return rejected('not-a-url', `expected ${scheme}://host`);
  }
  if (!hasHost(text, authorityStart)) return rejected('no-host', 'no host');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return rejected('not-a-url', 'not a valid URL (bad host or port?)');
  }
  if (!url.hostname) return rejected('no-host', 'no host');
  if (text.includes('#')) url.hash = '';
  const href = url.href;
  if (href.length > maxLength) return rejected('too-long', `${href.length} characters after normalization (limit ${maxLength})`);
  return { ok: true, url: href, host: hostKeyOf(url) };
}

const SLASH = 0x2f;
const BACKSLASH = 0x5c;
const QUESTION = 0x3f;
const HASH = 0x23;
const AT = 0x40;
const COLON = 0x3a;

/**
 * C0 controls, DEL and U+FFFD (what undecodable bytes become) would be silently percent-encoded or stripped
 * by WHATWG URL, turning a garbage line into a "valid" URL nobody meant; whitespace means a broken line.
 */
function badCharacter(text: string): NormalizedUrl | undefined {
  let nonAscii = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0b || c === 0x0c || c === 0x0d) return rejected('whitespace', 'whitespace inside the URL');
    if (c < 0x20 || c === 0x7f || c === 0xfffd) return rejected('invalid-characters', 'control characters or bytes that are not UTF-8');
    if (c > 0x7f) nonAscii = true;
  }
  if (nonAscii && UNICODE_SPACE.test(text)) return rejected('whitespace', 'whitespace inside the URL');
  return undefined;
}

/** The authority (up to / ? # or \\) has a host after any user info, not just a port. */
function hasHost(text: string, start: number): boolean {
  let hostStart = start;
  let end = start;
  for (; end < text.length; end++) {
    const c = text.charCodeAt(end);
    if (c === SLASH || c === QUESTION || c === HASH || c === BACKSLASH) break;
    if (c === AT) hostStart = end + 1;
  }
  return hostStart < end && text.charCodeAt(hostStart) !== COLON;
}
