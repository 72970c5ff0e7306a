/**
 * Prometheus metrics for `kscrape extract --metrics-port`: read from the extractor's own counters at scrape
 * time (one source of truth), exposed by prom-client.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { ExtractorHandle } from './extractor.js';

export function extractMetricsRegistry(handle: Pick<ExtractorHandle, 'stats' | 'plumbing' | 'gauges'>): Registry {
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'kscrape_process_' });
  const counter = (name: string, help: string, read: () => number) => {
    let last = 0;
    new Counter({
      name, help, registers: [r],
      collect() {
        const now = read();
        if (now > last) this.inc(now - last);
        last = now;
      },
    });
  };
  const gauge = (name: string, help: string, read: () => number) => new Gauge({ name, help, registers: [r], collect() { this.set(read()); } });
  const { stats, plumbing } = handle;
  counter('kscrape_extract_pages_consumed_total', 'Messages taken from the pages topic', () => plumbing.consumed);
  counter('kscrape_extract_pages_extracted_total', 'Pages written to the extractions topic', () => stats.extracted);
  counter('kscrape_extract_pages_failed_total', 'Pages written to the errors topic (empty, not HTML/JSON, malformed, module failed)', () => stats.failed);
  counter('kscrape_extract_module_failures_total', 'Pages the --module threw on or timed out on', () => stats.moduleFailures);
  counter('kscrape_extract_items_total', 'Items extracted (rules and module)', () => stats.items);
  counter('kscrape_extract_issues_total', 'Problems reported inside extraction records (broken JSON-LD, required fields missing)', () => stats.issues);
  counter('kscrape_extract_bytes_total', 'Bytes of page records consumed', () => stats.bytes);
  counter('kscrape_commits_total', 'Offset commits (or transactions) that succeeded', () => plumbing.committed);
  counter('kscrape_commit_failures_total', 'Offset commits that failed (retried)', () => plumbing.commitFailures);
  counter('kscrape_rebalances_total', 'Partition assignments and revocations', () => plumbing.rebalances);
  counter('kscrape_consumer_restarts_total', 'Consumers replaced by the watchdog', () => plumbing.consumerRestarts);
  counter('kscrape_delivery_retries_total', 'Records re-sent after a failed delivery', () => plumbing.deliveryRetries);
  gauge('kscrape_extract_running', 'Pages being extracted now', () => handle.gauges().running);
  gauge('kscrape_extract_queued', 'Pages consumed and waiting for extraction', () => handle.gauges().queued);
  gauge('kscrape_partitions_assigned', 'Partitions of the pages topic assigned to this extractor', () => handle.gauges().assigned);
  gauge('kscrape_partitions_paused', 'Assigned partitions paused because their look-ahead is full', () => handle.gauges().pausedPartitions);
  return r;
}

export function serveRegistry(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.statusCode = 404;
      res.end('see /metrics\n');
      return;
    }
    registry.metrics().then((text) => {
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    }, (err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
