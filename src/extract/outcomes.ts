/**
 * Turns what happened to one consumed page into the records that say so: an extractions record (or, with
 * `--records item`, one per item of a list page), or an errors record with the reason (malformed message,
 * empty body, not HTML or JSON, the module failed). Pure.
 */
import type { ErrorReason, ErrorRecord, ExtractionItemRecord, ExtractionRecord, PageRecord } from '../records/index.js';
import type { OutRecord } from '../worker/result-sink.js';
import type { ExtractedData as PageExtraction } from './extract-page.js';
import { packageVersion } from '../version.js';

export interface ExtractOutcomeContext {
  topics: { extractions: string; errors: string };
  worker: string;
  /** `kscrape/<version> rules=<file> module=<file>`. */
  extractorVersion: string;
  now: number;
}

/** `page`: one record per page, items in it; `item`: one record per item of a page that has items. */
export const RECORD_FORMS = ['page', 'item'] as const;
export type RecordForm = (typeof RECORD_FORMS)[number];

type ModuleResult = { fields: Record<string, unknown>; items: Record<string, unknown>[] };

export function extractionRecords(page: PageRecord, extraction: PageExtraction, ctx: ExtractOutcomeContext, fromModule?: ModuleResult, form: RecordForm = 'page'): OutRecord[] {
  if (form === 'item') {
    const items = fromModule ? [...extraction.items, ...fromModule.items] : extraction.items;
    if (items.length) return itemRecords(page, extraction, items, ctx, fromModule ? extraction.items.length : items.length);
  }
  const record: ExtractionRecord = {
    url: page.url,
    final_url: page.final_url,
    host: hostOf(page.final_url || page.url),
    fetched_at: page.fetched_at,
    status: page.status,
    rule_set: extraction.ruleSet,
    fields: fromModule ? { ...extraction.fields, ...fromModule.fields } : extraction.fields,
    items: fromModule ? [...extraction.items, ...fromModule.items] : extraction.items,
    page: extraction.metadata,
    json: extraction.json,
    errors: extraction.issues,
    extractor_version: ctx.extractorVersion,
    extracted_at: ctx.now,
    worker: ctx.worker,
  };
  return [{ topic: ctx.topics.extractions, key: page.url, value: JSON.stringify(record) }];
}

/**
 * One record per item, each with the page's identity. The page's fields and built-in metadata are not
 * repeated 45 times (a consumer that wants them runs --records page); its issues go on item 0 so each is
 * reported exactly once.
 */
function itemRecords(page: PageRecord, extraction: PageExtraction, items: Record<string, unknown>[], ctx: ExtractOutcomeContext, ruleItems: number): OutRecord[] {
  const host = hostOf(page.final_url || page.url);
  return items.map((fields, index) => {
    const itemUrl = itemUrlOf(fields, index < ruleItems ? extraction.itemUrlField : 'url');
    const record: ExtractionItemRecord = {
      url: page.url,
      final_url: page.final_url,
      host,
      fetched_at: page.fetched_at,
      status: page.status,
      rule_set: extraction.ruleSet,
      item_index: index,
      item_count: items.length,
      item_url: itemUrl,
      fields,
      errors: index === 0 ? extraction.issues : [],
      extractor_version: ctx.extractorVersion,
      extracted_at: ctx.now,
      worker: ctx.worker,
    };
    return { topic: ctx.topics.extractions, key: itemUrl ?? `${page.url}#${index}`, value: JSON.stringify(record) };
  });
}

/** The item's own URL: its named field when that holds an absolute http(s) URL. */
function itemUrlOf(fields: Record<string, unknown>, field: string | undefined): string | null {
  const value = field === undefined ? undefined : fields[field];
  return typeof value === 'string' && /^https?:\/\/[^/]/i.test(value) ? value : null;
}

export function extractErrorRecords(url: string | null, key: string, reason: ErrorReason, status: number | null, detail: string, ctx: ExtractOutcomeContext): OutRecord[] {
  const error: ErrorRecord = { url, reason, status, detail, original: null, failed_at: ctx.now, worker: ctx.worker };
  return [{ topic: ctx.topics.errors, key, value: JSON.stringify(error) }];
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
}

/** What each record's extractor_version says: kscrape's version, and which rules and module made it. */
export function extractorVersion(s: { rulesPath?: string | undefined; modulePath?: string | undefined }): string {
  const base = (path: string) => path.split(/[\\/]/).pop() ?? path;
  return [`kscrape/${packageVersion()}`, ...(s.rulesPath ? [`rules=${base(s.rulesPath)}`] : []), ...(s.modulePath ? [`module=${base(s.modulePath)}`] : [])].join(' ');
}
