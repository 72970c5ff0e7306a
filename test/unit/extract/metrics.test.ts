/**
 * What `kscrape extract --metrics-port` exports: the registry built over real counters (ExtractStats and the
 * plumbing's WorkerStats, moved the way the extractor moves them), read at scrape time.
 */
import { describe, expect, test } from '@jest/globals';
import { extractMetricsRegistry } from '../../../src/extract/metrics.js';
import { ExtractStats } from '../../../src/extract/stats.js';
import { WorkerStats } from '../../../src/worker/stats.js';

const value = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe('extract metrics', () => {
  test('the kscrape_extract_* counters, the plumbing counters and the gauges have the counters\' values at scrape time', async () => {
    const stats = new ExtractStats();
    const plumbing = new WorkerStats();
    let gauges = { running: 3, queued: 7, pausedPartitions: 2, assigned: 6 };
    const registry = extractMetricsRegistry({ stats, plumbing, gauges: () => gauges });

    plumbing.consumed = 12;
    plumbing.committed = 4;
    plumbing.commitFailures = 1;
    plumbing.rebalances = 2;
    stats.extracted = 8;
    stats.items = 45;
    stats.issues = 5;
    stats.bytes = 123_456;
    stats.recordFailure('empty-body');
    stats.recordFailure('unsupported-content');
    stats.recordFailure('extract-failed');
    stats.recordFailure('extract-failed');

    const text = await registry.metrics();
    expect(text).toMatch(/^# TYPE kscrape_extract_pages_extracted_total counter$/m);
    expect(text).toMatch(/^# TYPE kscrape_partitions_paused gauge$/m);
    expect({
      consumed: value(text, 'kscrape_extract_pages_consumed_total'),
      extracted: value(text, 'kscrape_extract_pages_extracted_total'),
      failed: value(text, 'kscrape_extract_pages_failed_total'),
      moduleFailures: value(text, 'kscrape_extract_module_failures_total'),
      items: value(text, 'kscrape_extract_items_total'),
      issues: value(text, 'kscrape_extract_issues_total'),
      bytes: value(text, 'kscrape_extract_bytes_total'),
      commits: value(text, 'kscrape_commits_total'),
      commitFailures: value(text, 'kscrape_commit_failures_total'),
      rebalances: value(text, 'kscrape_rebalances_total'),
      running: value(text, 'kscrape_extract_running'),
      queued: value(text, 'kscrape_extract_queued'),
      assigned: value(text, 'kscrape_partitions_assigned'),
      paused: value(text, 'kscrape_partitions_paused'),
    }).toEqual({
      consumed: 12, extracted: 8, failed: 4, moduleFailures: 2, items: 45, issues: 5, bytes: 123_456,
      commits: 4, commitFailures: 1, rebalances: 2, running: 3, queued: 7, assigned: 6, paused: 2,
    });
    // The process metrics are on the same registry.
    expect(text).toMatch(/^kscrape_process_\w+ \d/m);

    // Read again at the next scrape: the values move with the counters, nothing is cached.
    stats.extracted = 9;
    gauges = { ...gauges, pausedPartitions: 0 };
    const again = await registry.metrics();
    expect(value(again, 'kscrape_extract_pages_extracted_total')).toBe(9);
    expect(value(again, 'kscrape_partitions_paused')).toBe(0);
  });
});
