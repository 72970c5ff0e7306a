/**
 * `kscrape extract test --rules rules.yaml URL-or-file`: what the rules (and built-in extraction, and a
 * --module) take from one page, printed as the extraction record would be written, for writing rules. A URL is
 * fetched through the same fetcher as `work` (address guard, robots.txt, --resolve); a file is read as the
 * page (its type from the extension, its charset from its meta as for fetched pages).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { CommandRuntime } from '../context/runtime.js';
import { ExitCode, UserError, errorMessage } from '../errors.js';
import { bodyAsUtf8, sniffHtmlCharset } from '../fetch/content.js';
import type { FetcherOptions } from '../fetch/index.js';
import type { PageRecord } from '../records/index.js';
import { ModulePool } from './module-pool.js';
import { loadExtractModule } from './module-runner.js';
import { extractPageOutcome, type PageOutcome } from './page-outcome.js';
import { extractErrorRecords, extractionRecords, extractorVersion } from './outcomes.js';
import { loadRulesFile } from './rules-loader.js';

export interface ExtractTestSettings {
  target: string;
  /** For a file: the URL it stands for (rule sets match it, relative links resolve against it). @default its file:// URL */
  pageUrl: string | undefined;
  rulesPath: string | undefined;
  modulePath: string | undefined;
  moduleTimeoutMs: number;
  fetcher: Partial<FetcherOptions>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.htm': 'text/html', '.xhtml': 'application/xhtml+xml', '.json': 'application/json' };

/** Prints the record (pretty JSON) on stdout; exit 1 when the page would go to errors. */
export async function runExtractTest(s: ExtractTestSettings, runtime: CommandRuntime): Promise<void> {
  const rules = s.rulesPath ? await loadRulesFile(s.rulesPath) : undefined;
  const mod = s.modulePath ? await loadExtractModule(s.modulePath) : undefined;
  const page = /^https?:\/\//i.test(s.target) ? await fetchPage(s.target, s.fetcher) : await filePage(s.target, s.pageUrl);
  const ctx = { topics: { extractions: 'extractions', errors: 'errors' }, worker: 'extract-test', extractorVersion: extractorVersion(s), now: Date.now() };
  // The module in a thread as in `extract`, so that code which never yields ends in the timeout here too.
  const pool = mod ? new ModulePool({ modulePath: s.modulePath!, rulesPath: s.rulesPath, timeoutMs: s.moduleTimeoutMs, size: 1 }) : undefined;
  let outcome: PageOutcome;
  try {
    outcome = pool ? await pool.run(page) : await extractPageOutcome(page, rules);
  } finally {
    await pool?.close();
  }
  const records = outcome.kind === 'unextractable'
    ? extractErrorRecords(page.url, page.url, outcome.reason, page.status, outcome.detail, ctx)
    : outcome.kind === 'failed'
      ? extractErrorRecords(page.url, page.url, 'extract-failed', page.status, outcome.message, ctx)
      : extractionRecords(page, outcome.extraction, ctx, outcome.fromModule);
  const [record] = records;
  runtime.stdout.write(`${JSON.stringify({ topic: record!.topic, ...JSON.parse(record!.value.toString()) as object }, null, 2)}\n`);
  runtime.setExitCode(record!.topic === 'errors' ? ExitCode.failure : ExitCode.ok);
}

async function filePage(path: string, pageUrl: string | undefined): Promise<PageRecord> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new UserError(`${path}: cannot read it (${errorMessage(err).replace(/^[A-Z]+: /, '')}); give a file or an http(s) URL`, 'extract.bad-target');
  }
  const contentType = TYPES[extname(path).toLowerCase()] ?? 'text/html';
  const body = bodyAsUtf8(bytes, contentType === 'text/html' ? sniffHtmlCharset(bytes) : null, false).toString();
  const url = pageUrl ?? `file://${encodeURI(path.startsWith('/') ? path : `${process.cwd()}/${path}`)}`;
  return {
    url, final_url: url, status: 200, content_type: contentType, headers: {}, body, truncated: false, bytes: bytes.length,
    fetched_at: Date.now(), elapsed_ms: 0, customer_id: 'default', worker: 'extract-test',
  };
}

async function fetchPage(url: string, options: Partial<FetcherOptions>): Promise<PageRecord> {
  const { createFetcher } = await import('../fetch/index.js');
  const fetcher = createFetcher(options);
  try {
    const started = Date.now();
    const result = await fetcher.fetch(url, { signal: AbortSignal.timeout(60_000) });
    if (result.kind !== 'page') {
      // No validators are sent here, so a 304 cannot come back; the branch keeps the type exhaustive.
      const why = result.kind === 'error' ? `${result.reason}: ${result.detail}` : result.kind === 'retryable' ? result.error : 'not modified';
      throw new UserError(`${url}: not fetched (${why})`, 'extract.fetch-failed');
    }
    return {
      url, final_url: result.finalUrl, status: result.status, content_type: result.contentType, headers: result.headers,
      body: result.body.toString(), truncated: result.truncated, bytes: result.bytes, fetched_at: started,
      elapsed_ms: result.elapsedMs, customer_id: 'default', worker: 'extract-test',
    };
  } finally {
    await fetcher.close();
  }
}
