/**
 * Link extraction for crawling (`kscrape work --follow`): a parsed page, its URL and its response headers in;
 * the URLs it links to and what the page says about following and indexing out. Pure: no I/O, no crawl policy
 * (scope, depth, traps are src/crawl/'s), so the rules here unit-test against small documents.
 *
 * What is followed, and why:
 * - `a[href]`, `area[href]`: the links of a page;
 * - `link[rel~=next|prev]` (HTML and the `Link:` header): pagination, often the only way to page 2 of a listing;
 * - `iframe[src]`, `frame[src]`: framed documents are pages of the site;
 * - `meta http-equiv=refresh` with a `url=`: a redirect written in HTML.
 * Not followed: images, scripts, stylesheets, media (not pages; a scraper's accept list refuses them anyway).
 * Every URL is resolved against the first `<base href>` (itself resolved against the page URL, which should be
 * the URL after redirects), then normalized exactly as `produce` does (records/normalize-url.ts: the fragment is
 * dropped, non-http(s) schemes refused).
 *
 * Directives: `rel=nofollow` on a link; `<meta name=robots|kscrape content=...>` and `X-Robots-Tag` (whose
 * `agent: directives` form applies only to the agents named `kscrape`) with `nofollow`, `noindex`, `none`.
 * Links are split into followable and nofollow ones; the caller decides what to do with each (flags override).
 */
import type { AnyNode, Element } from 'domhandler';
import type { Document } from './parse.js';
import { normalizeUrl } from '../records/normalize-url.js';

/** The robots token kscrape answers to in `<meta name=...>` and `X-Robots-Tag: kscrape: ...`. */
export const ROBOTS_AGENT = 'kscrape';

export interface LinkOptions {
  /** Longest URL kept (after normalizing); longer ones are counted in `refused`. */
  maxUrlLength: number;
  /** Distinct links kept per page at most (the rest are counted in `dropped`): bounds a page's cost. */
  maxLinks: number;
}

export interface RobotsDirectives {
  nofollow: boolean;
  noindex: boolean;
}

export interface PageLinks {
  /** Distinct normalized URLs the page links to without rel=nofollow, in document order. */
  follow: string[];
  /** Distinct normalized URLs linked only with rel=nofollow (not in `follow`). */
  nofollow: string[];
  /** The `<link rel=canonical>` (or `Link: <...>; rel=canonical` header) URL, normalized, or null. */
  canonical: string | null;
  /** From `<meta name=robots>` / `<meta name=kscrape>`. */
  meta: RobotsDirectives;
  /** From the X-Robots-Tag header. */
  header: RobotsDirectives;
  /** Link targets that are not usable URLs (mailto:, javascript:, too long, broken). */
  refused: number;
  /** Links past `maxLinks`. */
  dropped: number;
}

interface Collected {
  follow: Set<string>;
  nofollow: Set<string>;
  canonical: string | null;
  meta: RobotsDirectives;
  raw: { href: string; nofollow: boolean }[];
  base: string | undefined;
}

/** The links and directives of one HTML page. `headers` are lowercase-named (as a page record keeps them). */
export function extractLinks(doc: Document, pageUrl: string, headers: Readonly<Record<string, string>>, opts: LinkOptions): PageLinks {
  const c: Collected = { follow: new Set(), nofollow: new Set(), canonical: null, meta: { nofollow: false, noindex: false }, raw: [], base: undefined };
  walk(doc.children, c);
  const headerLinks = linkHeader(headers.link);
  const base = resolveBase(c.base, pageUrl);
  let refused = 0;
  let dropped = 0;
  const resolve = (href: string): string | undefined => {
    let absolute: string;
    try {
      absolute = new URL(href.trim(), base).href;
    } catch {
      return undefined;
    }
    const n = normalizeUrl(absolute, { maxLength: opts.maxUrlLength });
    return n.ok ? n.url : undefined;
  };
  for (const link of [...c.raw, ...headerLinks.pages]) {
    const url = resolve(link.href);
    if (url === undefined) { refused++; continue; }
    if (link.nofollow) {
      if (!c.follow.has(url)) c.nofollow.add(url);
      continue;
    }
    if (c.follow.has(url)) continue;
    if (c.follow.size >= opts.maxLinks) { dropped++; continue; }
    c.follow.add(url);
    c.nofollow.delete(url);
  }
  const canonicalHref = c.canonical ?? headerLinks.canonical;
  return {
    follow: [...c.follow],
    nofollow: [...c.nofollow],
    canonical: canonicalHref === null ? null : resolve(canonicalHref) ?? null,
    meta: c.meta,
    header: robotsHeader(headers['x-robots-tag']),
    refused,
    dropped,
  };
}

// An explicit stack rather than recursion: a hostile page can nest elements deeper than the call stack.
function walk(roots: AnyNode[], c: Collected): void {
  const stack: AnyNode[] = [...roots].reverse();
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.type !== 'tag' && node.type !== 'script' && node.type !== 'style') continue;
    const el = node as Element;
    visit(el, c);
    for (let i = el.children.length - 1; i >= 0; i--) stack.push(el.children[i]!);
  }
}

function visit(el: Element, c: Collected): void {
  const a = el.attribs;
  switch (el.name) {
    case 'a':
    case 'area':
      if (a.href !== undefined) c.raw.push({ href: a.href, nofollow: relHas(a.rel, 'nofollow') });
      break;
    case 'iframe':
    case 'frame':
      if (a.src) c.raw.push({ href: a.src, nofollow: false });
      break;
    case 'base':
      if (c.base === undefined && a.href !== undefined) c.base = a.href;
      break;
    case 'link':
      if (a.href === undefined) break;
      if (relHas(a.rel, 'canonical')) c.canonical ??= a.href;
      else if (relHas(a.rel, 'next') || relHas(a.rel, 'prev')) c.raw.push({ href: a.href, nofollow: relHas(a.rel, 'nofollow') });
      break;
    case 'meta': {
      const name = a.name?.toLowerCase();
      if ((name === 'robots' || name === ROBOTS_AGENT) && a.content) addDirectives(c.meta, a.content);
      const refresh = a['http-equiv']?.toLowerCase() === 'refresh' ? refreshUrl(a.content) : undefined;
      if (refresh) c.raw.push({ href: refresh, nofollow: false });
      break;
    }
  }
}

function relHas(rel: string | undefined, token: string): boolean {
  if (!rel) return false;
  return rel.toLowerCase().split(/\s+/).includes(token);
}

function resolveBase(baseHref: string | undefined, pageUrl: string): string {
  if (baseHref === undefined) return pageUrl;
  try {
    const base = new URL(baseHref.trim(), pageUrl);
    // A base that is not http(s) (javascript:, data:) would make every relative link unusable: ignore it.
    return base.protocol === 'http:' || base.protocol === 'https:' ? base.href : pageUrl;
  } catch {
    return pageUrl;
  }
}

/** `5; url=/next` → `/next` (quotes removed); undefined without a URL. */
function refreshUrl(content: string | undefined): string | undefined {
  const m = /^\s*[\d.]*\s*[;,]?\s*url\s*=\s*(.+)$/i.exec(content ?? '');
  const url = m?.[1]?.trim().replace(/^['"]|['"]$/g, '');
  return url ? url : undefined;
}

function addDirectives(into: RobotsDirectives, content: string): void {
  for (const token of content.toLowerCase().split(',')) {
    const t = token.trim();
    if (t === 'nofollow' || t === 'none') into.nofollow = true;
    if (t === 'noindex' || t === 'none') into.noindex = true;
  }
}

const DIRECTIVE_WORDS = new Set(['all', 'none', 'noindex', 'nofollow', 'noarchive', 'nosnippet', 'notranslate', 'noimageindex', 'unavailable_after', 'max-snippet', 'max-image-preview', 'max-video-preview', 'indexifembedded']);

/**
 * X-Robots-Tag: `noindex, nofollow` applies to every agent; `googlebot: noindex` only to that agent, and a
 * following `otherbot: nofollow` starts another agent's group (the header's values are joined with ", ").
 */
export function robotsHeader(value: string | undefined): RobotsDirectives {
  const out: RobotsDirectives = { nofollow: false, noindex: false };
  if (!value) return out;
  let applies = true;
  for (const part of value.split(',')) {
    let token = part.trim().toLowerCase();
    const colon = token.indexOf(':');
    if (colon > 0 && !DIRECTIVE_WORDS.has(token.slice(0, colon).trim())) {
      applies = token.slice(0, colon).trim() === ROBOTS_AGENT;
      token = token.slice(colon + 1).trim();
    }
    if (applies) addDirectives(out, token);
  }
  return out;
}

/** The `Link:` header's pagination targets and canonical (RFC 8288: `<url>; rel="next", <url2>; rel=canonical`). */
function linkHeader(value: string | undefined): { pages: { href: string; nofollow: boolean }[]; canonical: string | null } {
  const out = { pages: [] as { href: string; nofollow: boolean }[], canonical: null as string | null };
  if (!value) return out;
  for (const m of value.matchAll(/<([^>]*)>([^,<]*)/g)) {
    const rel = /rel\s*=\s*"?([^";]*)"?/i.exec(m[2] ?? '')?.[1];
    const href = m[1] ?? '';
    if (relHas(rel, 'canonical')) out.canonical ??= href;
    else if (relHas(rel, 'next') || relHas(rel, 'prev')) out.pages.push({ href, nofollow: false });
  }
  return out;
}
