/**
 * Turns what happened to one consumed page into the one record that says so: an extractions record, or an
 * errors record with the reason (malformed message, empty body, not HTML or JSON, the module failed). Pure.
 */
import type { ErrorReason, ErrorRecord, ExtractionRecord, PageRecord } from '../records/index.js';
import type { OutRecord } from '../worker/result-sink.js';
import type { PageExtraction } from './extract-page.js';
import { packageVersion } from '../version.js';

export interface ExtractOutcomeContext {
  topics: { extractions: string; errors: string };
  worker: string;
  /** `kscrape/<version> rules=<file> module=<file>`. */
  extractorVersion: string;
  now: number;
}

export function extractionRecords(page: PageRecord, extraction: PageExtraction, ctx: ExtractOutcomeContext, fromModule?: { fields: Record<string, unknown>; items: Record<string, unknown>[] }): OutRecord[] {
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
