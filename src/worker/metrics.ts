/**
 * Prometheus metrics for `kscrape work --metrics-port`: prom-client does the exposition and
 * consumer-command/metrics-server.ts serves it; this file only says what is exported. Counters are read from
 * the worker's own stats at scrape time, so there is one source of truth; the per-fetch histogram and
 * labelled counter are fed as fetches finish.
 */
import { Counter, Histogram } from 'prom-client';
import { counterFrom, gaugeFrom, processRegistry } from '../consumer-command/metrics-server.js';
import type { LimiterStats } from '../ratelimit/fallback-limiter.js';
import type { FetchOutcome } from '../fetch/types.js';
import type { WorkerStats } from './stats.js';

export interface MetricsSources {
  stats: WorkerStats;
  gauges(): { inFlight: number; queued: number; hosts: number; pausedPartitions: number; assigned: number };
  limiter?(): LimiterStats;
}

export class WorkerMetrics {
  readonly registry = processRegistry();
  private readonly fetches: Counter<'outcome' | 'status'>;
  private readonly latency: Histogram<'outcome'>;

  constructor(sources: MetricsSources) {
    const r = this.registry;
    this.fetches = new Counter({ name: 'kscrape_fetches_total', help: 'URLs fetched, by outcome (page, error, dlq) and HTTP status', labelNames: ['outcome', 'status'], registers: [r] });
    this.latency = new Histogram({
      name: 'kscrape_fetch_duration_seconds', help: 'Time from request start to the whole body', labelNames: ['outcome'], registers: [r],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    });
    const fromStats = (name: string, help: string, read: (s: WorkerStats) => number) => counterFrom(r, name, help, () => read(sources.stats));
    fromStats('kscrape_messages_consumed_total', 'Messages taken from the urls topic', (s) => s.consumed);
    fromStats('kscrape_messages_malformed_total', 'Messages that were not a usable URL envelope', (s) => s.malformed);
    fromStats('kscrape_dlq_records_total', 'URLs sent to the dlq topic', (s) => s.dlq);
    fromStats('kscrape_not_modified_total', 'Recrawled URLs answered 304 to the previous fetch\'s validators (no record but the metric)', (s) => s.notModified);
    fromStats('kscrape_commits_total', 'Offset commits that succeeded', (s) => s.committed);
    fromStats('kscrape_commit_failures_total', 'Offset commits that failed (retried)', (s) => s.commitFailures);
    fromStats('kscrape_rebalances_total', 'Partition assignments and revocations', (s) => s.rebalances);
    fromStats('kscrape_consumer_restarts_total', 'Consumers replaced by the watchdog', (s) => s.consumerRestarts);
    fromStats('kscrape_delivery_retries_total', 'Result records re-sent after a failed delivery', (s) => s.deliveryRetries);
    const gauge = (name: string, help: string, read: () => number) => gaugeFrom(r, name, help, read);
    gauge('kscrape_fetches_in_flight', 'Fetches running now', () => sources.gauges().inFlight);
    gauge('kscrape_urls_queued', 'URLs consumed and waiting for their host', () => sources.gauges().queued);
    gauge('kscrape_hosts_active', 'Hosts with queued or running URLs', () => sources.gauges().hosts);
    gauge('kscrape_partitions_assigned', 'Partitions of the urls topic assigned to this worker', () => sources.gauges().assigned);
    gauge('kscrape_partitions_paused', 'Assigned partitions paused because their look-ahead is full', () => sources.gauges().pausedPartitions);
    if (sources.limiter) {
      const lim = sources.limiter;
      counterFrom(r, 'kscrape_limiter_waits_total', 'Limiter answers "not yet" (a host or customer was not due)', () => lim().waits);
      counterFrom(r, 'kscrape_limiter_redis_errors_total', 'Redis limiter calls that failed or missed their deadline', () => lim().redisErrors);
      counterFrom(r, 'kscrape_limiter_fallback_activations_total', 'Times the limiter fell back to in-process decisions', () => lim().fallbackActivations);
      counterFrom(r, 'kscrape_limiter_redis_timeouts_total', 'Redis limiter calls that missed their deadline (also in redis_errors)', () => lim().redisTimeouts);
      counterFrom(r, 'kscrape_limiter_fallback_grants_total', 'Admissions decided in-process while Redis was away', () => lim().fallbackGrants);
      gauge('kscrape_limiter_fallback', '1 while the limiter decides in-process because Redis is away', () => (lim().mode === 'fallback' || lim().mode === 'paused' ? 1 : 0));
    }
  }

  observeFetch(result: FetchOutcome): void {
    const outcome = result.kind === 'retryable' ? 'dlq' : result.kind;
    this.fetches.inc({ outcome, status: result.status === null ? 'none' : String(result.status) });
    this.latency.observe({ outcome }, result.elapsedMs / 1000);
  }
}
