/**
 * The one HTML parser of kscrape: htmlparser2 (with domhandler's DOM), shared by link extraction (`work --follow`)
 * and `kscrape extract`. Chosen over parse5 for speed (htmlparser2 publishes ~4x); it is forgiving rather than
 * spec-exact, which is what scraping needs. Each page is parsed once, whatever reads it afterwards.
 */
import { parseDocument } from 'htmlparser2';
import type { Document } from 'domhandler';

export type { Document };

/** Parses an HTML page into a DOM. Never throws on malformed markup. */
export function parseHtml(html: string): Document {
  return parseDocument(html, { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true });
}
