/**
 * The client's floor for bench/produce.ts, in a process of its own: pre-built envelopes (no reading, no
 * validation, no JSON) pushed through the same BulkProducer as kscrape (failure reports only), or with
 * `per-message`, through the callback Producer with a delivery report per message (kscrape's previous producer).
 * Prints URLs/s, timed from before connect to the last outcome (as kscrape's and kcat's wall clocks include theirs).
 *   node dist/bench/_produce-floor.js <brokers> <topic> <count> failures-only|per-message [key=value...]
 */
import { BulkProducer, createBulkProducer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import { PRODUCE_DEFAULTS } from '../src/produce/produce-defaults.js';

const [brokers, topic, countArg, mode, ...settings] = process.argv.slice(2) as [string, string, string, string, ...string[]];
const count = Number(countArg);
const quiet = createLogger({ level: 'quiet' });
const config = { 'bootstrap.servers': brokers, ...Object.fromEntries(settings.map((s) => s.split('='))) };
const values = Array.from({ length: 1000 }, (_, i) => Buffer.from(JSON.stringify({
  url: `https://www.shopdeals${i}.com/product/shoes-kitchen-${i * 7919}.html`, host: `www.shopdeals${i}.com`,
  customer_id: 'default', priority: 0, discovered_at: Date.now(), attempt: 0,
})));
const keys = Array.from({ length: 1000 }, (_, i) => `www.shopdeals${i}.com`);

async function perMessage(): Promise<void> {
  const producer = createBulkProducer({ config, logger: quiet }, { dr_cb: true });
  await new Promise<void>((resolve, reject) => producer.connect({}, (err) => (err ? reject(err) : resolve())));
  producer.setPollInBackground(true);
  let reports = 0;
  let wake: (() => void) | undefined;
  producer.on('delivery-report', () => { reports++; wake?.(); });
  for (let i = 0; i < count; i++) {
    while (i - reports >= 50_000) await new Promise<void>((r) => { wake = r; });
    producer.produce(topic, i % 50, values[i % 1000]!, keys[i % 1000], null);
  }
  while (reports < count) await new Promise<void>((r) => { wake = r; });
  await new Promise<void>((r) => producer.disconnect(5_000, () => r()));
}

async function failuresOnly(): Promise<void> {
  let failures = 0;
  const producer = await BulkProducer.connect({
    config, logger: quiet, topic, maxInFlight: 50_000, connectTimeoutMs: 10_000, onFailure: () => { failures++; },
    transaction: { id: `kscrape-bench-floor-${process.pid}`, timeoutMs: 60_000 },
  });
  // Transactions of kscrape's default size (PRODUCE_DEFAULTS.transactionMaxUrls), as kscrape produce commits them.
  const commit = async () => {
    const done = await producer.commitTransaction(30_000);
    if (!done.ok) throw new Error(`floor: commit failed: ${done.reason}`);
    await producer.beginTransaction();
  };
  for (let i = 0; i < count; i++) {
    while (!producer.trySend(i % 50, keys[i % 1000]!, values[i % 1000]!)) await producer.waitForRoom();
    if ((i + 1) % PRODUCE_DEFAULTS.transactionMaxUrls === 0) await commit();
  }
  await commit();
  await producer.shutdown();
  if (failures) throw new Error(`floor: ${failures} failures`);
}

const t0 = process.hrtime.bigint();
await (mode === 'per-message' ? perMessage() : failuresOnly());
process.stdout.write(`${Math.round(count / (Number(process.hrtime.bigint() - t0) / 1e9))}\n`);
