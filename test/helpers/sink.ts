/**
 * For the sink's tests: page records with known content spread over partitions (some URLs fetched several times,
 * an older fetch sometimes on a later offset), produced to a topic of their own, and the rows the sink should
 * have written for them, computed independently of src/sink.
 */
import { createProducer } from '../../src/kafka/index.js';
import { createLogger } from '../../src/log.js';
import { baseConfig, withAdmin } from './kafka.js';
import { uniqueName } from './env.js';

export interface SinkTopics {
  prefix: string;
  pages: string;
  errors: string;
  env: Record<string, string>;
}

/** A topic prefix of the test's own with pages (`partitions`) and errors topics. */
export async function createSinkTopics(brokers: string, partitions = 3): Promise<SinkTopics> {
  const prefix = `${uniqueName('snk')}.`;
  const pages = `${prefix}pages`;
  const errors = `${prefix}errors`;
  await withAdmin((admin) => admin.createTopics({ topics: [
    { topic: pages, numPartitions: partitions, replicationFactor: 1 },
    { topic: errors, numPartitions: 1, replicationFactor: 1 },
  ] }), brokers);
  return { prefix, pages, errors, env: { KSCRAPE_BROKERS: brokers, KSCRAPE_TOPIC_PREFIX: prefix } };
}

export interface ProducedPage {
  partition: number;
  offset: number;
  record: Record<string, unknown>;
}

/**
 * `count` page records over `partitions` partitions; URL i % distinct, so each URL is fetched count/distinct
 * times, and the fetch times go up and down (a later offset is not always a newer fetch).
 */
export function pageRecords(count: number, distinct: number, partitions: number): { partition: number; record: Record<string, unknown> }[] {
  return Array.from({ length: count }, (_, i) => {
    const n = i % distinct;
    const url = `https://site${n % 7}.test/p/${n}`;
    const round = Math.floor(i / distinct);
    // Rounds alternate old/new: round 1 is older than round 0, round 2 newer than both, ...
    const fetchedAt = 1_700_000_000_000 + (round % 2 === 1 ? -round : round) * 60_000 + n;
    const record: Record<string, unknown> = {
      url, final_url: url, status: 200 + (round % 3), content_type: 'text/html; charset=utf-8',
      headers: { server: 'test', 'x-round': String(round) }, body: `<p>${'x'.repeat(50 + (i % 200))}</p>`, truncated: false,
      bytes: 57 + (i % 200), fetched_at: fetchedAt, elapsed_ms: 10 + (i % 90), customer_id: `c${n % 3}`, worker: 'w-test',
      ...(n % 2 ? { crawl_id: 'crawl-1', depth: n % 4, referrer: `https://site${n % 7}.test/` } : {}),
      ...(n % 5 === 0 ? { canonical: `${url}#c` } : {}),
    };
    // A URL stays on one partition, as the worker keys pages by URL.
    return { partition: n % partitions, record };
  });
}

/** Produces the records (in order per partition); returns each with its offset. */
export async function producePages(brokers: string, topic: string, records: { partition: number; record: Record<string, unknown> }[]): Promise<ProducedPage[]> {
  const producer = createProducer({ config: baseConfig(brokers), logger: createLogger({ level: 'quiet' }) }, { 'linger.ms': 20 });
  await producer.connect();
  const next = new Map<number, number>();
  const out: ProducedPage[] = [];
  try {
    for (let i = 0; i < records.length; i += 2000) {
      const chunk = records.slice(i, i + 2000);
      await producer.send({ topic, messages: chunk.map((r) => ({ key: String(r.record.url), value: JSON.stringify(r.record), partition: r.partition })) });
    }
  } finally {
    await producer.disconnect();
  }
  // Offsets follow production order per partition (one producer, acks=all, idempotent: in order).
  for (const r of records) {
    const offset = next.get(r.partition) ?? 0;
    next.set(r.partition, offset + 1);
    out.push({ ...r, offset });
  }
  return out;
}

/** The upsert table's expected content: per URL, the record with the newest fetched_at (ties: partition, offset). */
export function newestPerUrl(pages: ProducedPage[]): Map<string, ProducedPage> {
  const best = new Map<string, ProducedPage>();
  for (const p of pages) {
    const url = String(p.record.url);
    const cur = best.get(url);
    const key = (x: ProducedPage) => [Number(x.record.fetched_at), x.partition, x.offset];
    if (!cur || compare(key(p), key(cur)) > 0) best.set(url, p);
  }
  return best;
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** What a row should hold for a page record (--bodies none): the columns the README documents. */
/** A row as the tests compare it; the position columns are typed because the tests sort by them. */
export type ExpectedRow = Record<string, unknown> & { kafka_partition: number; kafka_offset: string };

export function expectedRow(p: ProducedPage, topic: string): ExpectedRow {
  const r = p.record;
  return {
    url: r.url, host: new URL(String(r.url)).hostname, final_url: r.final_url, status: r.status, content_type: r.content_type,
    bytes: String(r.bytes), truncated: r.truncated, fetched_at: new Date(Number(r.fetched_at)).toISOString(), elapsed_ms: r.elapsed_ms,
    crawl_id: r.crawl_id ?? null, depth: r.depth ?? null, referrer: r.referrer ?? null, canonical: r.canonical ?? null,
    customer_id: r.customer_id, worker: r.worker, reason: null, headers: r.headers, data: null, body: null,
    kafka_topic: topic, kafka_partition: p.partition, kafka_offset: String(p.offset),
  };
}

/** A table's rows as expectedRow shapes them (loaded_at and kafka_timestamp left out: the clock's). */
export const ROW_COLUMNS = `url, host, final_url, status, content_type, bytes, truncated, to_char(fetched_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS fetched_at,
  elapsed_ms, crawl_id, depth, referrer, canonical, customer_id, worker, reason, headers, data, body, kafka_topic, kafka_partition, kafka_offset`;
