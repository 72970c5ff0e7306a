/** Pure helpers for response content: media types, the accept list, charset decoding, the kept headers. */
import { TextDecoder } from 'node:util';
import { isAscii, isUtf8 } from 'node:buffer';

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

/** WHATWG encodings in which ASCII bytes mean ASCII characters (so an all-ASCII body needs no transcoding). */
const ASCII_COMPATIBLE = /^(windows-|iso-8859-|koi8-|macintosh|x-mac-|gbk$|gb18030$|big5$|euc-|shift_jis$)/;

/**
 * The body as UTF-8 bytes, transcoded from the declared charset (UTF-8 when none or unknown). UTF-8 and
 * all-ASCII bodies come back as the same bytes, not copied: a page is never turned into a JS string on its
 * way to the pages topic. Invalid UTF-8 becomes U+FFFD; a body cut at the cap inside a multi-byte character
 * loses that partial character.
 */
export function bodyAsUtf8(bytes: Buffer, charset: string | null, truncated: boolean): Buffer {
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset ?? 'utf-8');
  } catch {
    decoder = new TextDecoder('utf-8');
  }
  const encoding = decoder.encoding;
  if (encoding === 'utf-8') {
    const whole = truncated ? withoutPartialUtf8Tail(bytes) : bytes;
    if (isUtf8(whole)) return whole;
    return Buffer.from(decoder.decode(whole));
  }
  if (ASCII_COMPATIBLE.test(encoding) && isAscii(bytes)) return bytes;
  const text = encoding === 'windows-1252' ? decodeWindows1252(bytes) : decoder.decode(bytes);
  return Buffer.from(truncated ? text.replace(/\uFFFD$/, '') : text);
}

/** windows-1252's 0x80–0x9F (the rest is latin1); the holes (0x81, 0x8D, 0x8F, 0x90, 0x9D) stay C1 controls. */
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f'
  + '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

/**
 * windows-1252 as WHATWG defines it (also what `iso-8859-1` and `latin1` labels mean on the web). Node 20's
 * TextDecoder decodes 0x80–0x9F as C1 controls instead (the € of a European shop page became U+0080).
 */
function decodeWindows1252(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
}

/** Drops an incomplete multi-byte UTF-8 sequence at the very end (what a byte cap can leave). */
function withoutPartialUtf8Tail(bytes: Buffer): Buffer {
  const n = bytes.length;
  // The last sequence starts at most 3 bytes back: find its lead byte.
  for (let i = n - 1; i >= Math.max(0, n - 4); i--) {
    const b = bytes[i]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const length = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + length > n ? bytes.subarray(0, i) : bytes;
  }
  return bytes;
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

/**
 * The charset an HTML page declares in its first 1024 bytes (`<meta charset=...>`, or the http-equiv
 * Content-Type form), as the HTML standard's prescan looks for it; null when it declares none. Used when the
 * Content-Type header names no charset, so a windows-1252 page with only a meta is not read as UTF-8.
 */
export function sniffHtmlCharset(bytes: Buffer): string | null {
  const head = bytes.subarray(0, 1024).toString('latin1');
  for (const meta of head.match(/<meta\b[^>]*>/gi) ?? []) {
    // A charset attribute of its own (not the word inside a content="..." value)...
    const own = /\scharset\s*=\s*["']?\s*([\w.:-]+)/i.exec(meta.replace(/\bcontent\s*=\s*("[^"]*"|'[^']*')/i, ''));
    if (own) return own[1]!.toLowerCase();
    // ...or <meta http-equiv="Content-Type" content="text/html; charset=...">.
    if (/http-equiv\s*=\s*["']?content-type/i.test(meta)) {
      const inContent = /charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(meta);
      if (inContent) return inContent[1]!.toLowerCase();
    }
  }
  return null;
}

/** Whether a media type is HTML (the ones whose charset may be declared inside the page). */
export function isHtmlType(mime: string | null): boolean {
  return mime === 'text/html' || mime === 'application/xhtml+xml';
}
