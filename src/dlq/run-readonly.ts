/**
 * The read-only DLQ commands: `dlq stats`, and `dlq retry --dry-run` (what the retry group would do now).
 * Both read without a consumer group (assign) and commit nothing, so a running `dlq retry` is not disturbed.
 */
import type { Logger } from '../log.js';
import { connectAdmin, type KafkaConfig } from '../kafka/index.js';
import type { Partitioner } from '../partition/partitioner.js';
import { readGroupStart } from './group-start.js';
import type { RetrySummary } from './retry-engine.js';
import { decide, type RetryPolicy } from './retry-policy.js';
import { scanTopic } from './scan.js';
import { DlqStatsBuilder, type DlqStats } from './stats.js';

export interface ReadOnlyOptions {
  adminConfig: KafkaConfig;
  consumerConfig: KafkaConfig;
  logger: Logger;
  topic: string;
  policy: RetryPolicy;
  timeoutMs: number;
  now?: () => number;
}

export async function collectStats(opts: ReadOnlyOptions): Promise<{ stats: DlqStats; complete: boolean }> {
  const admin = await connectAdmin({ config: opts.adminConfig, logger: opts.logger, timeoutMs: opts.timeoutMs });
  const marks = await readGroupStart(admin.admin, undefined, opts.topic, opts.timeoutMs).finally(admin.close);
  const builder = new DlqStatsBuilder(opts.policy, (opts.now ?? Date.now)());
  const { complete } = await scanTopic({
    config: opts.consumerConfig, logger: opts.logger, topic: opts.topic, startAt: marks.startAt, stopAt: marks.stopAt,
    timeoutMs: opts.timeoutMs, onRecord: (r) => { builder.add(r.value); return 'next'; },
  });
  return { stats: builder.result(), complete };
}

export interface DryRunLine {
  partition: number;
  offset: number;
  action: 're-emit' | 'park' | 'wait';
  url: string | null;
  /** re-emit: target urls partition and attempt; park: reason; wait: due time. */
  detail: string;
}

export async function dryRun(opts: ReadOnlyOptions & { group: string; partitioner: Partitioner; urlsTopic: string; onLine(line: DryRunLine): void }): Promise<RetrySummary> {
  const admin = await connectAdmin({ config: opts.adminConfig, logger: opts.logger, timeoutMs: opts.timeoutMs });
  let marks;
  let urlPartitions = 0;
  try {
    marks = await readGroupStart(admin.admin, { id: opts.group, adminConfig: opts.adminConfig, logger: opts.logger }, opts.topic, opts.timeoutMs);
    const meta = await admin.admin.fetchTopicMetadata({ topics: [opts.urlsTopic], timeout: opts.timeoutMs });
    urlPartitions = meta[0]?.partitions.length ?? 0;
  } finally {
    await admin.close();
  }
  const summary: RetrySummary = { reEmitted: 0, parked: { 'max-attempts': 0, malformed: 0 }, waiting: [] };
  const now = (opts.now ?? Date.now)();
  await scanTopic({
    config: opts.consumerConfig, logger: opts.logger, topic: opts.topic, startAt: marks.startAt, stopAt: marks.stopAt, timeoutMs: opts.timeoutMs,
    onRecord: (r) => {
      const d = decide(r.value, now, opts.policy);
      const base = { partition: r.partition, offset: r.offset, url: d.record?.original.url ?? null };
      if (d.action === 'wait') {
        summary.waiting.push({ partition: r.partition, offset: r.offset, dueAt: d.dueAt });
        opts.onLine({ ...base, action: 'wait', detail: `due ${new Date(d.dueAt).toISOString()}; the partition waits here` });
        return 'stop';
      }
      if (d.action === 're-emit') {
        summary.reEmitted++;
        const target = urlPartitions ? opts.partitioner({ host: d.envelope.host, url: d.envelope.url, customerId: d.envelope.customer_id }, urlPartitions) : '?';
        opts.onLine({ ...base, action: 're-emit', detail: `${opts.urlsTopic}[${target}] attempt ${d.envelope.attempt}` });
      } else {
        summary.parked[d.reason]++;
        opts.onLine({ ...base, action: 'park', detail: `${d.reason}: ${d.detail}` });
      }
      return 'next';
    },
  });
  summary.waiting.sort((a, b) => a.partition - b.partition);
  return summary;
}
