/**
 * `kscrape extract` assembled: rules and module loaded (refused at start when unusable), clients, the
 * transactor for --eos, metrics, status line and signals around startExtractor. Wiring only.
 */
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { extractConsumerConfig, extractTransactionalProducerConfig, workerProducerConfig } from '../kafka/index.js';
import { TOPICS } from '../records/index.js';
import { serveMetrics } from '../consumer-command/metrics-server.js';
import { connectAdminWithTopics, connectRunProducer, runConsumerCommand, workerIdOf } from '../consumer-command/run.js';
import { handleStopSignals } from '../consumer-command/signals.js';
import { LogEnds } from '../worker/log-ends.js';
import { startStatusReporter } from '../worker/status-reporter.js';
import { startTransactor } from '../worker/transactor.js';
import { startExtractor, type ExtractorHandle } from './extractor.js';
import { extractMetricsRegistry } from './metrics.js';
import { ModulePool, moduleThreads } from './module-pool.js';
import { loadExtractModule } from './module-runner.js';
import type { ExtractSettings } from './options.js';
import { extractorVersion } from './outcomes.js';
import { loadRulesFile } from './rules-loader.js';
import type { Rules } from './rules-types.js';

export async function runExtract(ctx: GlobalContext, s: ExtractSettings, runtime: CommandRuntime): Promise<void> {
  const { logger } = ctx;
  // User mistakes first, before any connection: an invalid rules file or module is refused at start.
  const rules = s.rulesPath ? await loadRulesFile(s.rulesPath) : undefined;
  const mod = s.modulePath ? await loadExtractModule(s.modulePath) : undefined;
  const topics = { pages: ctx.topic(TOPICS.pages), extractions: ctx.topic(TOPICS.extractions), errors: ctx.topic(TOPICS.errors) };
  const workerId = workerIdOf(s.workerId);
  await runConsumerCommand('extract', ctx, runtime, async (cleanups) => {
    const admin = await connectAdminWithTopics(ctx, cleanups, 'extract', Object.values(topics));

    const producer = await connectRunProducer(workerProducerConfig(ctx, s), logger, cleanups);

    const transactor = s.eos
      ? await startTransactor({ topic: topics.pages, logger, producerConfig: () => extractTransactionalProducerConfig(ctx, s, workerId), cleanups })
      : undefined;

    // The module runs in threads of its own, so code that never yields stops one page, not the consumer.
    const pool = mod ? new ModulePool({ modulePath: s.modulePath!, rulesPath: s.rulesPath, timeoutMs: s.moduleTimeoutMs, size: moduleThreads(s.concurrency) }) : undefined;
    if (pool) cleanups.push(() => pool.close());

    const logEnds = new LogEnds({ admin, topic: topics.pages, consumerConfig: ctx.kafkaConfig('consumer'), logger });
    const extractor = await startExtractor({
      consumerConfig: extractConsumerConfig(ctx, s.groupProtocol, s.eos),
      ...(transactor ? { transactor } : {}),
      producer, logger, topics, group: s.group, workerId,
      extractorVersion: extractorVersion(s),
      ...(rules ? { rules } : {}),
      ...(pool ? { module: pool } : {}),
      records: s.records, concurrency: s.concurrency, lookahead: s.lookahead,
      commitEveryMessages: s.commitEveryMessages, commitIntervalMs: s.commitIntervalMs,
      maxMessages: s.maxMessages, idleExitMs: s.idleExitMs,
      shutdownTimeoutMs: s.shutdownTimeoutMs, revokeTimeoutMs: Math.min(10_000, s.shutdownTimeoutMs), stallTimeoutMs: s.stallTimeoutMs,
      maxRecordBytes: s.maxRecordBytes, maxPendingBytes: s.maxPendingBytes,
      readHighWatermarks: (partitions, from) => logEnds.read(partitions, from),
    });
    logger.info(`extractor ${workerId} in group ${s.group} on ${topics.pages} → ${topics.extractions}${describeSources(rules, mod?.name)}${s.eos ? ', exactly-once' : ''}`);

    if (s.metricsPort !== undefined) cleanups.push(await serveMetrics(extractMetricsRegistry(extractor), s.metricsPort, s.metricsHost, logger, extractor));
    // A plain line per interval even on a terminal (no live line), as --status-interval's help says.
    const status = startStatusReporter({ line: () => statusLine(extractor), intervalMs: s.statusIntervalMs, logger, tty: false });
    cleanups.push(handleStopSignals(extractor, logger, 'unfinished pages are uncommitted and will be extracted again'));

    await extractor.done;
    status.stop(`done: ${statusLine(extractor)}`);
    const summary = {
      worker: workerId, group: s.group, consumed: extractor.plumbing.consumed, malformed: extractor.plumbing.malformed,
      ...extractor.stats.toJSON(), committed: extractor.plumbing.committed, commitFailures: extractor.plumbing.commitFailures,
      ...(transactor ? { transactions: transactor.counters } : {}),
    };
    return summary;
  });
}

function describeSources(rules: Rules | undefined, moduleName: string | undefined): string {
  const parts = [`built-in${rules ? ` + ${rules.ruleSets.length} rule set${rules.ruleSets.length === 1 ? '' : 's'}` : ''}`, ...(moduleName ? [`module ${moduleName}`] : [])];
  return ` (${parts.join(', ')})`;
}

function statusLine(e: ExtractorHandle): string {
  const g = e.gauges();
  const s = e.stats;
  return [
    `${s.rate().toFixed(1)} pages/s`, `extracted ${s.extracted}`, `items ${s.items}`, `failed ${s.failed}`,
    ...(e.plumbing.malformed ? [`malformed ${e.plumbing.malformed}`] : []),
    `${g.running} running`, `${g.queued} queued`, `partitions ${g.assigned}${g.pausedPartitions ? ` (${g.pausedPartitions} paused)` : ''}`,
    ...(e.plumbing.consumerRestarts ? [`restarts ${e.plumbing.consumerRestarts}`] : []),
  ].join(' · ');
}
