/**
 * A streaming sitemap parser: text goes in chunk by chunk, entries come out as they close. It never holds more
 * than the entry being read (saxes, a strict streaming XML parser, keeps no tree), so memory does not depend on
 * the file's size. Understands `<urlset>`, `<sitemapindex>` (namespace prefixes ignored) and text sitemaps (one
 * URL per line, recognized by a first character other than `<`). Malformed XML throws from `write`/`end`.
 */
import { SaxesParser } from 'saxes';
import type { SitemapChildEntry, SitemapKind, SitemapUrlEntry } from './types.js';

export interface SitemapParserHandlers {
  url(entry: SitemapUrlEntry): void;
  child(entry: SitemapChildEntry): void;
}

/** The fields read from an entry; anything else (images, news, hreflang) is skipped. */
const FIELDS = new Set(['loc', 'lastmod', 'changefreq', 'priority']);
/**
 * A field's text is cut here, so what an entry keeps is bounded. (saxes holds one text node whole until it ends;
 * the per-file byte cap bounds that.)
 */
const MAX_FIELD_CHARS = 16 * 1024;

export class SitemapParser {
  kind: SitemapKind = 'unknown';
  private xml: SaxesParser | undefined;
  private sawText = false;
  private textRest = '';
  private depth = 0;
  private entry: Record<string, string> | undefined;
  private field: string | undefined;
  private fieldText = '';

  constructor(private readonly on: SitemapParserHandlers) {}

  write(chunk: string): void {
    if (this.kind === 'unknown' && !this.xml && !this.sawText) {
      const first = /\S/.exec(chunk.replace(/^\uFEFF/, ''));
      if (!first) return;
      if (first[0] === '<') this.startXml();
      else { this.kind = 'text'; this.sawText = true; }
    }
    if (this.xml) this.xml.write(chunk);
    else this.textLines(this.textRest + chunk, false);
  }

  end(): void {
    if (this.xml) {
      this.xml.close();
      if (this.kind === 'unknown') throw new Error('no <urlset> or <sitemapindex> root element');
    } else if (this.sawText) {
      this.textLines(this.textRest, true);
    }
  }

  private textLines(text: string, last: boolean): void {
    const lines = text.split(/\r?\n/);
    this.textRest = last ? '' : lines.pop() ?? '';
    if (this.textRest.length > MAX_FIELD_CHARS) this.textRest = this.textRest.slice(0, MAX_FIELD_CHARS);
    for (const line of lines) {
      const loc = line.trim();
      if (loc) this.on.url({ loc });
    }
  }

  private startXml(): void {
    const xml = new SaxesParser({ position: false });
    this.xml = xml;
    xml.on('opentag', (tag) => {
      const name = localName(tag.name);
      this.depth++;
      if (this.depth === 1) {
        if (name !== 'urlset' && name !== 'sitemapindex') throw new Error(`root element <${tag.name}> is neither urlset nor sitemapindex`);
        this.kind = name;
      } else if (this.depth === 2 && (name === 'url' || name === 'sitemap')) {
        this.entry = {};
      } else if (this.depth === 3 && this.entry && FIELDS.has(name)) {
        this.field = name;
        this.fieldText = '';
      }
    });
    const text = (t: string) => {
      if (this.field && this.fieldText.length < MAX_FIELD_CHARS) this.fieldText += t.slice(0, MAX_FIELD_CHARS - this.fieldText.length);
    };
    xml.on('text', text);
    xml.on('cdata', text);
    xml.on('closetag', () => {
      if (this.depth === 3 && this.field && this.entry) {
        this.entry[this.field] = this.fieldText.trim();
        this.field = undefined;
      } else if (this.depth === 2 && this.entry) {
        this.emit(this.entry);
        this.entry = undefined;
      }
      this.depth--;
    });
    xml.on('error', (err) => { throw err; });
  }

  private emit(e: Record<string, string>): void {
    if (!e.loc) return;
    if (this.kind === 'sitemapindex') this.on.child({ loc: e.loc, ...(e.lastmod ? { lastmod: e.lastmod } : {}) });
    else this.on.url({ loc: e.loc, ...(e.lastmod ? { lastmod: e.lastmod } : {}), ...(e.changefreq ? { changefreq: e.changefreq } : {}), ...(e.priority ? { priority: e.priority } : {}) });
  }
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}
