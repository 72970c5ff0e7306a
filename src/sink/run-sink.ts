/**
 * `kscrape sink postgres` assembled: the database (schema brought up to date), the Kafka clients (consumer,
 * errors producer, admin for log ends), the pipeline, status line, signals. Wiring only; the behaviour is in
 * pipeline.ts (stages), loader.ts (one transaction per batch) and row-mapping.ts.
 */
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { withDeadline } from '../deadline.js';
import { RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { createProducer, sinkConsumerConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import { TOPICS } from '../records/index.js';
import { connectAdminWithTopics, runConsumerCommand, workerIdOf, type Cleanups } from '../consumer-command/run.js';
import { handleStopSignals } from '../consumer-command/signals.js';
import { ConsumerSession } from '../worker/consumer-session.js';
import { LogEnds } from '../worker/log-ends.js';
import { startStatusReporter } from '../worker/status-reporter.js';
import { createPool, ensureSchema } from './database.js';
import type { SinkSettings } from './defaults.js';
import { resolveDsn } from './dsn.js';
import { Loader, type Reject } from './loader.js';
import { readStoredOffsets } from './offset-store.js';
import { SinkPipeline } from './pipeline.js';
import { rejectRecord } from './reject-record.js';
import { SinkStats } from './stats.js';

export async function runSink(ctx: GlobalContext, s: SinkSettings, runtime: CommandRuntime): Promise<void> {
  const { logger } = ctx;
  const topic = ctx.topic(s.source);
  const errorsTopic = ctx.topic(TOPICS.errors);
  const workerId = workerIdOf(s.workerId);
  const dsn = resolveDsn(s.dsn);
  await runConsumerCommand('sink', ctx, runtime, async (cleanups) => {
    const pool = createPool({ connectionString: dsn.connectionString, connections: s.connections, statementTimeoutMs: s.statementTimeoutMs, logger });
    cleanups.push(() => pool.end());
    const migrated = await withDatabase(dsn.display, () => ensureSchema(pool, { table: s.table, mode: s.mode, source: s.source }, logger));
    if (migrated) logger.info(`table ${s.table} is at schema version ${migrated}`);

    const admin = await connectAdminWithTopics(ctx, cleanups, 'sink', [topic, ...(s.source === 'errors' ? [] : [errorsTopic])]);

    const deliverRejects = await rejectDelivery(ctx, s, errorsTopic, workerId, logger, cleanups);
    const offsets = { group: s.group, topic };
    const loader = new Loader({ pool, table: s.table, mode: s.mode, offsets, deliverRejects });
    const logEnds = new LogEnds({ admin, topic, consumerConfig: ctx.kafkaConfig('consumer'), logger });
    const stats = new SinkStats();
    const consumerConfig = sinkConsumerConfig(ctx, s.groupProtocol);
    const pipeline = new SinkPipeline({
      logger, topic, loader, stats,
      newSession: (handlers) => new ConsumerSession<Buffer>({ config: consumerConfig, topic, group: s.group, logger, handlers, decodeValue: (bytes) => bytes }),
      readStoredOffsets: (partitions) => withDeadline(readStoredOffsets(pool, offsets, partitions), 10_000, 'read stored offsets'),
      readGroupOffsets: async (session) => {
        const all = await logEnds.read();
        const committed = new Map((await session.committed([...all.keys()])).map((c) => [c.partition, c.offset]));
        return { high: await logEnds.read(undefined, committed), committed };
      },
      mapping: { source: s.source, bodies: s.bodies, maxRowBytes: s.maxRowBytes },
      limits: s,
      ...(s.maxMessages === undefined ? {} : { maxMessages: s.maxMessages }),
      ...(s.idleExitMs === undefined ? {} : { idleExitMs: s.idleExitMs }),
    });
    await pipeline.start();
    logger.info(`sink ${s.source} → ${s.table} (${s.mode}) at ${dsn.display}, group ${s.group}, ${s.connections} connections`);
    const status = startStatusReporter({
      line: () => stats.statusLine(pipeline.gauges()), intervalMs: s.statusIntervalMs, logger, tty: Boolean(process.stderr.isTTY) && !ctx.json,
    });
    cleanups.push(handleStopSignals(pipeline, logger, 'records not yet stored will be read again'));
    await pipeline.done;
    status.stop(`done: ${stats.statusLine(pipeline.gauges())}`);
    // Read after the clients are closed: the run's seconds include closing them.
    return () => ({ source: topic, table: s.table, mode: s.mode, group: s.group, ...stats.toJSON() });
  });
}

/** The first database call, with a message that says where it tried (password masked) when it cannot connect. */
async function withDatabase<T>(display: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof UserError) throw err;
    throw new RuntimeFailure(`cannot prepare PostgreSQL at ${display}: ${errorMessage(err)}`, 'sink.database', { retriable: true, cause: err });
  }
}

/**
 * Rejects go to the errors topic, delivered before the batch commits. An errors sink does not write back into
 * its own topic (a loop): it logs them; they stay in the topic at the offsets the log line names.
 */
async function rejectDelivery(ctx: GlobalContext, s: SinkSettings, errorsTopic: string, workerId: string, logger: Logger, cleanups: Cleanups): Promise<(rejects: Reject[]) => Promise<void>> {
  if (s.source === 'errors') {
    return async (rejects) => {
      for (const r of rejects) logger.warn(`not stored: ${r.message.topic}/${r.message.partition}@${r.message.offset}: ${r.reason}: ${r.detail}`);
    };
  }
  const producer = createProducer({ config: ctx.kafkaConfig('producer'), logger });
  await withDeadline(producer.connect(), 30_000, 'producer connect');
  cleanups.push(() => withDeadline(producer.disconnect(), 10_000, 'producer disconnect').catch(() => undefined));
  return async (rejects) => {
    const now = Date.now();
    const messages = rejects.map((r) => {
      const { key, record } = rejectRecord(r, s.table, workerId, now);
      return { key, value: JSON.stringify(record) };
    });
    await withDeadline(producer.send({ topic: errorsTopic, messages }), 60_000, 'deliver rejected records to the errors topic');
    for (const r of rejects) logger.debug(`rejected ${r.message.topic}/${r.message.partition}@${r.message.offset}: ${r.reason}`);
  };
}
