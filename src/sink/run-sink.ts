/**
 * `kscrape sink postgres` assembled: the database (schema brought up to date), the Kafka clients (consumer,
 * errors producer, admin for log ends), the pipeline, status line, signals. Wiring only; the behaviour is in
 * pipeline.ts (stages), loader.ts (one transaction per batch) and row-mapping.ts.
 */
import { hostname } from 'node:os';
import type { GlobalContext } from '../context/global-context.js';
import type { CommandRuntime } from '../context/runtime.js';
import { withDeadline } from '../deadline.js';
import { ExitCode, RuntimeFailure, UserError, errorMessage } from '../errors.js';
import { connectAdmin, createProducer, sinkConsumerConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import { TOPICS } from '../records/index.js';
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
  const workerId = s.workerId ?? `${hostname()}-${process.pid}`;
  const dsn = resolveDsn(s.dsn);
  const cleanups: (() => Promise<unknown> | void)[] = [];
  const cleanup = async () => { for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined); };
  try {
    const pool = createPool({ connectionString: dsn.connectionString, connections: s.connections, statementTimeoutMs: s.statementTimeoutMs, logger });
    cleanups.push(() => pool.end());
    const migrated = await withDatabase(dsn.display, () => ensureSchema(pool, { table: s.table, mode: s.mode, source: s.source }, logger));
    if (migrated) logger.info(`table ${s.table} is at schema version ${migrated}`);

    const { admin, close: closeAdmin } = await connectAdmin({ config: ctx.kafkaConfig('admin'), logger, timeoutMs: 15_000 });
    cleanups.push(closeAdmin);
    const existing = new Set(await withDeadline(admin.listTopics({ timeout: 10_000 }), 12_000, 'list topics'));
    const missing = [topic, ...(s.source === 'errors' ? [] : [errorsTopic])].filter((t) => !existing.has(t));
    if (missing.length) throw new UserError(`topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found: create them with 'kscrape topics create'${ctx.topicPrefix ? ` --topic-prefix ${ctx.topicPrefix}` : ''}`, 'sink.missing-topic');

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
    cleanups.push(handleSignals(pipeline, logger));
    await pipeline.done;
    status.stop(`done: ${stats.statusLine(pipeline.gauges())}`);
    await cleanup();
    if (ctx.json) runtime.stdout.write(`${JSON.stringify({ source: topic, table: s.table, mode: s.mode, group: s.group, ...stats.toJSON() })}\n`);
    runtime.setExitCode(ExitCode.ok);
  } catch (err) {
    await cleanup();
    if (err instanceof UserError || err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(`sink: ${errorMessage(err)}`, 'sink.failed', { cause: err });
  }
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
async function rejectDelivery(ctx: GlobalContext, s: SinkSettings, errorsTopic: string, workerId: string, logger: Logger, cleanups: (() => Promise<unknown> | void)[]): Promise<(rejects: Reject[]) => Promise<void>> {
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

/** SIGINT/SIGTERM stop gracefully (buffered records stored first), a second one exits at once. Returns the undo. */
function handleSignals(pipeline: SinkPipeline, logger: Logger): () => void {
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.error(`${name} again: exiting now; records not yet stored will be read again`);
      process.exit(130);
    }
    void pipeline.stop(`${name} received (again to exit at once)`);
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return () => { process.off('SIGINT', onSignal).off('SIGTERM', onSignal); };
}
