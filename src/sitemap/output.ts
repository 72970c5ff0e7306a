/** Where emitted URLs go: lines on a stream (stdout, or produce's input pipe), written with back-pressure. */
import type { EmittedUrl } from './walker.js';
import type { SitemapFormat } from './options.js';

/** One output line: the URL, or a JSON object with the sitemap's fields (snake_case like the topics' records). */
export function formatEntry(entry: EmittedUrl, format: SitemapFormat): string {
  if (format === 'url') return `${entry.url}\n`;
  return `${JSON.stringify({
    url: entry.url, lastmod: entry.lastmod ?? null, changefreq: entry.changefreq ?? null,
    priority: entry.priority === undefined || Number.isNaN(Number(entry.priority)) ? null : Number(entry.priority), sitemap: entry.sitemap,
  })}\n`;
}

/** How often a write still waiting for its reader says so. */
export const STALL_REPORT_MS = 60_000;

/**
 * A writer that waits while the stream's buffer is full, so a slow reader (a pipe into `produce`, a full
 * Kafka queue behind it) slows the walk instead of growing memory. The wait ends with the stream (closed or
 * failed) or the signal; then writes are dropped and `closed()` says so. It has no deadline (a reader may be
 * legitimately slow), so every STALL_REPORT_MS of waiting is reported through `onStall`.
 */
export function lineWriter(stream: NodeJS.WritableStream, signal: AbortSignal, onStall: (waitedMs: number) => void = () => undefined): { write(line: string): Promise<void>; closed(): boolean } {
  let closed = false;
  const onGone = () => { closed = true; };
  stream.once('close', onGone);
  stream.once('error', onGone);
  return {
    closed: () => closed,
    async write(line) {
      if (closed || signal.aborted) return;
      if (stream.write(line)) return;
      const since = Date.now();
      const stall = setInterval(() => onStall(Date.now() - since), STALL_REPORT_MS);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearInterval(stall);
          stream.off('drain', done); stream.off('close', done); stream.off('error', done); signal.removeEventListener('abort', done);
          resolve();
        };
        stream.once('drain', done);
        stream.once('close', done);
        stream.once('error', done);
        signal.addEventListener('abort', done, { once: true });
      });
    },
  };
}
