/**
 * The reliability audit: reads every outcome topic of a pipeline (read_committed, so that an `--eos` run's
 * aborted transactions do not count) and the CLI's outcome files, and joins them by URL with what was produced
 * (see audit-join.ts for the arithmetic). Used by the chaos scenarios; any test or benchmark can call it.
 *
 * A message without a URL (a poison message in the urls topic ends as an errors record with url null, or as a
 * parked record) is identified as `raw-key:<its key>`: produce poison with distinct keys to audit it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { createAdmin, createConsumer } from '../../src/kafka/index.js';
import { createLogger } from '../../src/log.js';
import { joinOutcomes, type AuditReport, type DeliveryMode, type Observation, type OutcomePlace } from './audit-join.js';
import { uniqueName } from './env.js';

export { formatAudit, joinOutcomes, type AuditReport, type Observation, type OutcomePlace } from './audit-join.js';

const quiet = createLogger({ level: 'quiet' });

type Json = Record<string, unknown> | null;

/** The URL a record of `place` is about, or undefined when it has none and no key either. */
export function urlOfRecord(place: OutcomePlace, key: string | null, value: string | null): string | undefined {
  let v: Json = null;
  try { v = value === null ? null : (JSON.parse(value) as Json); } catch { v = null; }
  const orig = v && typeof v.original === 'object' && v.original !== null ? (v.original as Record<string, unknown>) : undefined;
  let url: unknown;
  switch (place) {
    case 'dlq': url = orig?.url; break;
    case 'rejects': url = v?.input; break;
    default: url = v?.url;
  }
  if (typeof url === 'string' && url) return url;
  return key ? `raw-key:${key}` : undefined;
}

/**
 * Every record of `topic` up to its last stable offset at call time, read_committed. Ends when each partition
 * reached that offset, or after `idleMs` without a message once every partition has delivered something (the
 * last offsets may be transaction markers, never delivered). A partition still silent, e.g. its leader not
 * back yet after a broker restart, is waited for up to `timeoutMs`.
 */
export async function readTopicRecords(brokers: string, topic: string, opts: { idleMs?: number; timeoutMs?: number } = {}): Promise<{ key: string | null; value: string | null }[]> {
  const config = { 'bootstrap.servers': brokers };
  const admin = createAdmin({ config, logger: quiet });
  await admin.connect();
  let ends: Map<number, number>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic, { isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED }).catch((err: Error) => {
      // A pipeline without this topic (tests that create only some) has no outcomes there.
      if (/unknown topic|does not host this topic/i.test(err.message)) return [];
      throw err;
    });
    ends = new Map(offsets.filter((o) => Number(o.high) > Number(o.low)).map((o) => [o.partition, Number(o.high)]));
  } finally {
    await admin.disconnect();
  }
  if (!ends.size) return [];
  const out: { key: string | null; value: string | null }[] = [];
  const consumer = createConsumer({ config, logger: quiet }, {
    'group.id': uniqueName('audit'), 'auto.offset.reset': 'earliest', 'enable.auto.commit': false, 'isolation.level': 'read_committed',
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await new Promise<void>((resolve) => {
      const overall = setTimeout(resolve, opts.timeoutMs ?? 60_000);
      let idle: NodeJS.Timeout | undefined;
      const finish = () => { clearTimeout(overall); clearTimeout(idle); resolve(); };
      const reached = new Set<number>();
      const heard = new Set<number>();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          const end = ends.get(partition);
          if (end === undefined || offset >= end) return;
          out.push({ key: message.key?.toString() ?? null, value: message.value?.toString() ?? null });
          heard.add(partition);
          if (offset >= end - 1) reached.add(partition);
          clearTimeout(idle);
          if (reached.size === ends.size) finish();
          else if (heard.size === ends.size) idle = setTimeout(finish, opts.idleMs ?? 5_000);
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

export async function observeTopic(brokers: string, topic: string, place: OutcomePlace): Promise<Observation[]> {
  const records = await readTopicRecords(brokers, topic);
  return records.flatMap((r) => {
    const url = urlOfRecord(place, r.key, r.value);
    return url ? [{ url, place }] : [];
  });
}

/** A JSON-lines file written by the CLI (fallback: URL envelopes; rejects: {input, reason, ...}). Missing = empty. */
export function observeFile(path: string, place: OutcomePlace): Observation[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    const url = urlOfRecord(place, null, line);
    return url ? [{ url, place }] : [];
  });
}

export interface PipelineAuditOptions {
  brokers: string;
  /** --topic-prefix of the run. */
  prefix: string;
  /** Every URL (or raw-key:<key>) produced. */
  expected: Iterable<string>;
  /** Outcome topics to read. @default pages, errors, dlq, parked (dlq.parked) */
  places?: Exclude<OutcomePlace, 'rejects' | 'fallback'>[];
  files?: { path: string; place: 'rejects' | 'fallback' }[];
  /** @default 'at-least-once' */
  mode?: DeliveryMode;
}

const TOPIC_OF: Record<Exclude<OutcomePlace, 'rejects' | 'fallback'>, string> = {
  pages: 'pages', errors: 'errors', dlq: 'dlq', parked: 'dlq.parked', urls: 'urls',
};

export async function auditPipeline(opts: PipelineAuditOptions): Promise<AuditReport> {
  const observations: Observation[] = [];
  for (const place of opts.places ?? ['pages', 'errors', 'dlq', 'parked']) {
    observations.push(...(await observeTopic(opts.brokers, `${opts.prefix}${TOPIC_OF[place]}`, place)));
  }
  for (const f of opts.files ?? []) observations.push(...observeFile(f.path, f.place));
  return joinOutcomes(opts.expected, observations, opts.mode);
}
