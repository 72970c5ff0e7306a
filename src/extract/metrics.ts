/**
 * Prometheus metrics for `kscrape extract --metrics-port`: read from the extractor's own counters at scrape
 * time (one source of truth), exposed by prom-client and served by consumer-command/metrics-server.ts.
 */
import type { Registry } from 'prom-client';
import { counterFrom, gaugeFrom, processRegistry } from '../consumer-command/metrics-server.js';
import type { ExtractorHandle } from './extractor.js';

export function extractMetricsRegistry(handle: Pick<ExtractorHandle, 'stats' | 'plumbing' | 'gauges'>): Registry {
  const r = processRegistry();
  const counter = (name: string, help: string, read: () => number) => counterFrom(r, name, help, read);
  const gauge = (name: string, help: string, read: () => number) => gaugeFrom(r, name, help, read);
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
