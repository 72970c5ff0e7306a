/**
 * BENCH ONLY — the reference guide's serial worker, as users would otherwise build it, never part of kscrape:
 * one message at a time per partition; a per-process `last_fetch` dictionary and a sleep for the host delay;
 * fetch; produce the page record; commit that message. Run by bench/fairness.ts through the same harness as
 * `kscrape work`. Argument: one JSON object (see SerialWorkerArgs).
 *
 * Like the guide's code, its politeness is per process: a host whose URLs sit in partitions of two processes
 * (the fair partitioner's bands) is fetched by both at the full rate each.
 */
import { Agent, request } from 'node:http';
import { type KafkaConfig, createConsumer, createProducer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';

export interface SerialWorkerArgs {
  brokers: string;
  urlsTopic: string;
  pagesTopic: string;
  group: string;
  partitions: number;
  hostDelayMs: number;
  /** Every host name resolves here (what --resolve does for kscrape). */
  targetAddress: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as SerialWorkerArgs;
const logger = createLogger({ level: 'quiet' });
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
const lastFetch = new Map<string, number>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function get(url: URL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: args.targetAddress, port: url.port, path: url.pathname + url.search, agent, headers: { host: url.host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const config: KafkaConfig = { 'bootstrap.servers': args.brokers };
  const producer = createProducer({ config, logger }, { 'compression.type': 'lz4', acks: 'all' } as KafkaConfig);
  await producer.connect();
  const rebalance = (err: { code: number; message?: string }, assignment: { partition: number }[]) => {
    const list = assignment.map((a) => a.partition).join(',');
    // -175 = ERR__ASSIGN_PARTITIONS, -174 = ERR__REVOKE_PARTITIONS
    process.stderr.write(`${err.code === -175 ? 'assigned' : 'revoking'} partitions ${list}\n`);
  };
  const consumer = createConsumer({ config, logger }, {
    'group.id': args.group,
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    rebalance_cb: rebalance,
  } as unknown as KafkaConfig & { 'group.id': string });
  await consumer.connect();
  await consumer.subscribe({ topics: [args.urlsTopic] });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect().catch(() => undefined);
    await producer.flush({ timeout: 5_000 }).catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop()).on('SIGINT', () => void stop());

  await consumer.run({
    partitionsConsumedConcurrently: args.partitions,
    eachMessage: async ({ topic, partition, message }) => {
      const payload = JSON.parse(message.value?.toString() ?? '{}') as { url: string };
      const url = new URL(payload.url);
      const host = url.hostname;
      // The guide's throttle: elapsed since this process last fetched the host, sleep the rest.
      const elapsed = Date.now() - (lastFetch.get(host) ?? 0);
      if (elapsed < args.hostDelayMs) await sleep(args.hostDelayMs - elapsed);
      lastFetch.set(host, Date.now());
      try {
        const resp = await get(url);
        const result = { url: payload.url, status: resp.status, html: resp.status === 200 ? resp.body : null, fetched_at: Date.now() };
        void producer.send({ topic: args.pagesTopic, messages: [{ key: payload.url, value: JSON.stringify(result) }] }).catch(() => undefined);
      } catch (err) {
        process.stderr.write(`fetch ${payload.url}: ${(err as Error).message}\n`);
      }
      void consumer.commitOffsets([{ topic, partition, offset: String(Number(message.offset) + 1) }]).catch(() => undefined);
    },
  });
}

main().catch((err: Error) => {
  process.stderr.write(`serial worker: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
