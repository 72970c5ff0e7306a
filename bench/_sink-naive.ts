/**
 * The benchmark's peer (a): the consumer people write by hand — a KafkaJS-style consumer, one INSERT … ON CONFLICT
 * per record with node-postgres (autocommit), offsets committed by the client. Same rows as the sink (the same
 * mapping), so the difference is how they reach the database. Args: brokers topic dsn table count.
 */
import pg from 'pg';
import { createConsumer } from '../src/kafka/index.js';
import { createLogger } from '../src/log.js';
import { mapRecord } from '../src/sink/row-mapping.js';
import { COLUMN_NAMES } from '../src/sink/schema.js';

const [brokers, topic, dsn, table, countText] = process.argv.slice(2) as [string, string, string, string, string];
const count = Number(countText);
const logger = createLogger({ level: 'quiet' });

async function main(): Promise<void> {
  const client = new pg.Client({ connectionString: dsn });
  await client.connect();
  const columns = COLUMN_NAMES.join(', ');
  const params = COLUMN_NAMES.map((_, i) => `$${i + 1}`).join(', ');
  const set = COLUMN_NAMES.filter((c) => c !== 'url').map((c) => `${c} = EXCLUDED.${c}`).join(', ');
  const sql = `INSERT INTO ${table} AS cur (${columns}) VALUES (${params}) ON CONFLICT (url) DO UPDATE SET ${set} WHERE EXCLUDED.fetched_at > cur.fetched_at`;
  const consumer = createConsumer({ config: { 'bootstrap.servers': brokers }, logger }, { 'group.id': `naive-${Date.now()}`, 'auto.offset.reset': 'earliest', 'enable.auto.commit': true });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic] });
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        if (seen >= count) return;
        const mapped = mapRecord({ topic, partition, offset: Number(message.offset), timestamp: Number(message.timestamp), key: null, value: message.value?.toString() ?? null }, { source: 'pages', bodies: 'none', maxRowBytes: 16 << 20 });
        if (mapped.ok) await client.query(sql, mapped.row.map((v) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v))).catch(reject);
        if (++seen === count) resolve();
      },
    });
  });
  await consumer.disconnect();
  await client.end();
  process.stdout.write(`${JSON.stringify({ rows: seen })}\n`);
}

main().catch((err: Error) => { process.stderr.write(`${err.stack ?? err.message}\n`); process.exitCode = 1; });
