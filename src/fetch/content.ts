/** Pure helpers for response content: media types, the accept list, charset decoding, the kept headers. */
import { TextDecoder } from 'node:util';

/** Media types fetched by default: the ones a scraper extracts text from. */
export const DEFAULT_ACCEPT: readonly string[] = ['text/html', 'application/xhtml+xml', 'text/plain', 'application/xml', 'text/xml', 'application/json'];

/** Response headers copied into a page result (values cut at 2 KiB). */
export const KEPT_HEADERS: readonly string[] = [
  'content-type', 'content-length', 'content-encoding', 'content-language', 'last-modified', 'etag', 'cache-control',
  'expires', 'x-robots-tag', 'link',
];

export function parseContentType(header: string | undefined): { mime: string | null; charset: string | null } {
  if (!header) return { mime: null, charset: null };
  const [type = '', ...params] = header.split(';');
  const mime = type.trim().toLowerCase() || null;
  const charsetParam = params.map((p) => p.trim()).find((p) => /^charset\s*=/i.test(p));
  const charset = charsetParam ? charsetParam.slice(charsetParam.indexOf('=') + 1).trim().replace(/^"(.*)"$/, '$1').toLowerCase() : null;
  return { mime, charset: charset || null };
}

/**
 * Whether a media type is fetched. Entries may be exact (`text/html`), a family (`text/*`) or `*` / `*\/*`.
 * A response without a Content-Type is accepted (servers omit it more often than they send binaries so).
 */
export function isAccepted(mime: string | null, accept: readonly string[]): boolean {
  if (mime === null) return true;
  return accept.some((entry) => {
    const a = entry.trim().toLowerCase();
    if (a === '*' || a === '*/*') return true;
    if (a.endsWith('/*')) return mime.startsWith(a.slice(0, -1));
    return a === mime;
  });
}

/** The Accept request header for the accept list. */
export function acceptHeader(accept: readonly string[]): string {
  return accept.join(', ');
}

/**
 * Decodes body bytes with the declared charset (UTF-8 when none or unknown). A body cut at the cap may end
 * inside a multi-byte character; the replacement character that leaves is dropped.
 */
export function decodeBody(bytes: Buffer, charset: string | null, truncated: boolean): string {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const text = decoder.decode(bytes);
  return truncated ? text.replace(/\uFFFD$/, '') : text;
}

/** The kept subset of `headers`, lowercase names, one string each. */
export function keptHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = headers[name];
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    out[name] = text.length > 2048 ? text.slice(0, 2048) : text;
  }
  return out;
}
