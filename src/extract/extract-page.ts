/**
 * One page's extraction without user code: decide what the page is, parse it once, run built-in extraction
 * and the rules over the same document. Pure (CPU only); the module runner and the records builder take it on.
 */
import { parseHtml, type Document } from '../html/parse.js';
import type { PageRecord } from '../records/index.js';
import { extractBuiltin, type ExtractionIssue, type PageMetadata } from './builtin.js';
import { pageKind } from './page-kind.js';
import { applyRules, type Fields } from './rule-engine.js';
import type { Rules } from './rules-types.js';

export interface PageExtraction {
  ruleSet: string | null;
  fields: Fields;
  items: Record<string, unknown>[];
  /** The rule set's item field that names an item (see RulesResult.itemUrlField). */
  itemUrlField?: string;
  metadata: PageMetadata | null;
  json: unknown;
  issues: ExtractionIssue[];
  /** The parsed document of an HTML page, for the module (never serialized). */
  document: Document | null;
}

/** What extraction took, without the document: what can cross to another thread and goes into the records. */
export type ExtractedData = Omit<PageExtraction, 'document'>;

export type PageVerdict = { ok: true; extraction: PageExtraction } | { ok: false; reason: 'empty-body' | 'unsupported-content'; detail: string };

/** `parse` is the one HTML parser; a parameter so that a test can count that a page is parsed once. */
export function extractPage(page: PageRecord, rules: Rules | undefined, parse: (html: string) => Document = parseHtml): PageVerdict {
  const kind = pageKind(page);
  if (kind.kind === 'unsupported') return { ok: false, reason: kind.reason, detail: kind.detail };
  if (kind.kind === 'json') {
    try {
      return { ok: true, extraction: { ruleSet: null, fields: {}, items: [], metadata: null, json: JSON.parse(page.body), issues: [], document: null } };
    } catch (err) {
      return { ok: false, reason: 'unsupported-content', detail: `JSON page that does not parse: ${(err as Error).message}` };
    }
  }
  const document = parse(page.body);
  const base = page.final_url || page.url;
  const builtin = extractBuiltin(document, base, page.headers);
  const ruled = applyRules(rules, document, base);
  return {
    ok: true,
    extraction: {
      ruleSet: ruled.ruleSet, fields: ruled.fields, items: ruled.items,
      ...(ruled.itemUrlField ? { itemUrlField: ruled.itemUrlField } : {}), metadata: builtin.metadata, json: null,
      issues: [...builtin.issues, ...ruled.issues], document,
    },
  };
}
