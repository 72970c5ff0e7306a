/**
 * The extraction every HTML page gets without rules: title, meta description, language, canonical URL,
 * OpenGraph and Twitter card fields, every JSON-LD block (parsed; a broken one is reported, not fatal),
 * microdata items, headings and link counts. One walk over the parsed document collects what they need, so
 * the cost is one pass whatever the page holds. Pure: a document and its URL in, data out.
 */
import type { AnyNode, Document, Element } from 'domhandler';
import { isTag, isText } from 'domhandler';
import { cleanText, collapse, resolveUrl } from './text.js';
import { microdataItem, type MicrodataItem } from './microdata.js';

export interface Heading {
  level: number;
  text: string;
}

/** What built-in extraction found on a page (the extraction record's `page` field). */
export interface PageMetadata {
  title: string | null;
  description: string | null;
  /** The html element's lang, else Content-Language (meta or header); lowercase. */
  language: string | null;
  canonical_url: string | null;
  /** og:* properties without the prefix; a property given more than once (og:image) becomes a list. */
  opengraph: Record<string, string | string[]>;
  /** twitter:* names without the prefix. */
  twitter: Record<string, string | string[]>;
  /** Every application/ld+json block that parsed, in page order. */
  json_ld: unknown[];
  microdata: MicrodataItem[];
  /** h1..h6 in page order (at most MAX_HEADINGS). */
  headings: Heading[];
  links: { internal: number; external: number };
}

/** A problem met while extracting a page that did not stop it (a broken JSON-LD block, a required field missing). */
export interface ExtractionIssue {
  /** What was being extracted: `json_ld[1]`, `fields.price`, `items[3].name`, `module`. */
  where: string;
  message: string;
}

/** Headings kept per page: a page with thousands of them (a generated index) must not bloat its record. */
export const MAX_HEADINGS = 100;

export function extractBuiltin(doc: Document, pageUrl: string, headers: Record<string, string> = {}): { metadata: PageMetadata; issues: ExtractionIssue[] } {
  const issues: ExtractionIssue[] = [];
  const metadata: PageMetadata = {
    title: null, description: null, language: null, canonical_url: null, opengraph: {}, twitter: {}, json_ld: [],
    microdata: [], headings: [], links: { internal: 0, external: 0 },
  };
  let pageHost: string | null = null;
  try {
    pageHost = new URL(pageUrl).hostname;
  } catch {
    // A page record always has a URL; a bad one only means link counts cannot tell internal from external.
  }
  let base = pageUrl;
  let contentLanguage: string | null = null;
  let jsonLdIndex = 0;

  const visit = (nodes: AnyNode[]): void => {
    for (const node of nodes) {
      if (!isTag(node)) continue;
      const el = node;
      switch (el.name) {
        case 'html':
          if (el.attribs.lang && !metadata.language) metadata.language = el.attribs.lang.trim().toLowerCase() || null;
          break;
        case 'title':
          // The document's title, not an SVG's <title> later in the body.
          if (metadata.title === null) metadata.title = cleanText(el) || null;
          break;
        case 'base':
          if (el.attribs.href) base = resolveUrl(el.attribs.href, pageUrl) ?? base;
          break;
        case 'meta':
          readMeta(el);
          break;
        case 'link':
          if (relHas(el, 'canonical') && metadata.canonical_url === null) metadata.canonical_url = resolveUrl(el.attribs.href, base) ?? null;
          break;
        case 'script':
          if ((el.attribs.type ?? '').trim().toLowerCase() === 'application/ld+json') readJsonLd(el, jsonLdIndex++);
          continue; // a script's text is not markup
        case 'style':
          continue;
        case 'a':
          countLink(el);
          break;
        case 'h1': case 'h2': case 'h3': case 'h4': case 'h5': case 'h6':
          if (metadata.headings.length < MAX_HEADINGS) {
            const text = cleanText(el);
            if (text) metadata.headings.push({ level: Number(el.name[1]), text });
          }
          break;
      }
      // A top-level microdata item (one not inside another item's scope, and not a property of one).
      if ('itemscope' in el.attribs && !('itemprop' in el.attribs)) metadata.microdata.push(microdataItem(el, base));
      visit(el.children);
    }
  };

  const readMeta = (el: Element): void => {
    const content = el.attribs.content;
    if (content === undefined) return;
    const name = (el.attribs.name ?? '').trim().toLowerCase();
    const property = (el.attribs.property ?? '').trim().toLowerCase();
    const httpEquiv = (el.attribs['http-equiv'] ?? '').trim().toLowerCase();
    if (name === 'description' && metadata.description === null) metadata.description = collapse(content) || null;
    if (httpEquiv === 'content-language' && contentLanguage === null) contentLanguage = content.split(',')[0]!.trim().toLowerCase() || null;
    // Sites put OpenGraph in name= and Twitter cards in property= often enough that both are read.
    const key = property || name;
    if (key.startsWith('og:')) addValue(metadata.opengraph, key.slice(3), content.trim());
    else if (key.startsWith('twitter:')) addValue(metadata.twitter, key.slice(8), content.trim());
  };

  const readJsonLd = (el: Element, index: number): void => {
    const text = el.children.filter(isText).map((t) => t.data).join('').trim();
    if (!text) return;
    try {
      // Some CMSs wrap the block in an HTML comment or CDATA; both are noise around valid JSON.
      metadata.json_ld.push(JSON.parse(text.replace(/^<!--|-->$/g, '').replace(/^\s*<!\[CDATA\[|\]\]>\s*$/g, '')));
    } catch (err) {
      issues.push({ where: `json_ld[${index}]`, message: `not valid JSON: ${(err as Error).message}` });
    }
  };

  const countLink = (el: Element): void => {
    const href = el.attribs.href;
    if (!href || /^\s*(#|javascript:|mailto:|tel:|data:)/i.test(href)) return;
    const target = resolveUrl(href, base);
    if (!target || !/^https?:/.test(target)) return;
    if (pageHost !== null && new URL(target).hostname === pageHost) metadata.links.internal++;
    else metadata.links.external++;
  };

  visit(doc.children);
  if (!metadata.language) metadata.language = contentLanguage ?? headerLanguage(headers);
  return { metadata, issues };
}

function relHas(el: Element, value: string): boolean {
  return (el.attribs.rel ?? '').toLowerCase().split(/\s+/).includes(value);
}

function addValue(into: Record<string, string | string[]>, key: string, value: string): void {
  if (!key) return;
  const had = into[key];
  if (had === undefined) into[key] = value;
  else if (Array.isArray(had)) had.push(value);
  else into[key] = [had, value];
}

function headerLanguage(headers: Record<string, string>): string | null {
  const value = headers['content-language'];
  return value ? value.split(',')[0]!.trim().toLowerCase() || null : null;
}
