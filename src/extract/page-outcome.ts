/**
 * One page's whole extraction (parse once, built-in, rules, then the module on the same document) as one value
 * that can cross a thread boundary: it holds no document. The extractor runs it in-process without a --module
 * and in a module thread (module-pool.ts) with one, so that both paths make the same records. Never throws.
 */
import { errorMessage } from '../errors.js';
import { parseHtml, type Document } from '../html/parse.js';
import type { PageRecord } from '../records/index.js';
import { extractPage, type ExtractedData } from './extract-page.js';
import { moduleHelpers, runExtractModule, type ExtractFunction } from './module-runner.js';
import type { Rules } from './rules-types.js';

export type PageOutcome =
  | { kind: 'unextractable'; reason: 'empty-body' | 'unsupported-content'; detail: string }
  /** extract-failed: the module threw, timed out or returned something unusable, or extraction itself failed. */
  | { kind: 'failed'; message: string }
  | { kind: 'extracted'; extraction: ExtractedData; fromModule?: { fields: Record<string, unknown>; items: Record<string, unknown>[] } };

export interface ModuleCall {
  fn: ExtractFunction;
  timeoutMs: number;
  /** Called just before the module gets the page (the pool's thread tells the main thread, which then bounds it). */
  onStart?(): void;
}

export async function extractPageOutcome(page: PageRecord, rules: Rules | undefined, module?: ModuleCall, parse: (html: string) => Document = parseHtml): Promise<PageOutcome> {
  try {
    const verdict = extractPage(page, rules, parse);
    if (!verdict.ok) return { kind: 'unextractable', reason: verdict.reason, detail: verdict.detail };
    const { document, ...extraction } = verdict.extraction;
    if (!module) return { kind: 'extracted', extraction };
    module.onStart?.();
    const result = await runExtractModule(module.fn, page, {
      document, json: extraction.json, fields: extraction.fields, metadata: extraction.metadata, ...moduleHelpers(document),
    }, module.timeoutMs);
    if (!result.ok) return { kind: 'failed', message: result.message };
    return { kind: 'extracted', extraction, fromModule: { fields: result.fields, items: result.items } };
  } catch (err) {
    // A bug in extraction must not stop the consumer or lose the page: it is reported like a module failure.
    return { kind: 'failed', message: `extraction failed: ${errorMessage(err)}` };
  }
}
