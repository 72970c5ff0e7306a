/**
 * `kscrape partition-audit`'s two sources, both streamed into the pure AuditAccumulator (counts per host, never
 * the URLs): URL lists (files or stdin, one URL per line; no broker needed), or a slice of the live urls topic.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { KafkaConfig } from '../kafka/index.js';
import { hostKey, type UrlEnvelope } from '../records/index.js';
import { readExistingTopics, withTopicIo } from '../topics/topic-io.js';
import { sampleTopic, type SampleWindow } from '../topics/sample.js';
import { AuditAccumulator, type AuditOptions, type AuditReport } from './accumulator.js';
import { formatDuration } from '../units.js';

/** Files to read; '-' is stdin. Blank lines and lines starting with '#' are skipped. */
export async function auditUrlFiles(files: readonly string[], opts: AuditOptions, stdin: NodeJS.ReadableStream = process.stdin): Promise<AuditReport> {
  const acc = new AuditAccumulator(opts);
  for (const file of files) {
    const input: NodeJS.ReadableStream = file === '-' ? stdin : createReadStream(file);
    const opened = new Promise<void>((resolve, reject) => {
      input.once('error', (err: Error) => reject(new RuntimeFailure(`cannot read ${file}: ${errorMessage(err)}`, 'input.unreadable', { cause: err })));
      input.once('end', resolve);
    });
    const lines = createInterface({ input, crlfDelay: Infinity });
    const reading = (async () => {
      for await (const raw of lines) {
        const line = raw.trim();
        if (!line || line.startsWith('#')) continue;
        const host = hostKey(line);
        if (host) acc.add({ host, url: line });
        else acc.addInvalid(line);
      }
    })();
    await Promise.all([reading, opened]);
  }
  return acc.report({ kind: 'urls', names: [...files] });
}

export interface LiveAuditOptions {
  config: KafkaConfig;
  consumerConfig: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
  topic: string;
  window: SampleWindow;
  fairThreshold: number;
  fairBands: number;
  topHostsPerPartition?: number;
}

/** Audits records already in the topic: where they are (observed) against host and fair for the same records. */
export async function auditLiveTopic(opts: LiveAuditOptions): Promise<AuditReport> {
  return withTopicIo({ config: opts.config, logger: opts.logger, timeoutMs: opts.timeoutMs }, async (io) => {
    const partitions = (await readExistingTopics(io, [opts.topic])).get(opts.topic)?.partitions;
    if (!partitions) throw new RuntimeFailure(`topic ${opts.topic} does not exist (check --topic-prefix / --topic, or create it with: kscrape topics create)`, 'kafka.unknown-topic');
    const acc = new AuditAccumulator({ partitions, fairThreshold: opts.fairThreshold, fairBands: opts.fairBands, ...(opts.topHostsPerPartition ? { topHostsPerPartition: opts.topHostsPerPartition } : {}) });
    const result = await sampleTopic({ ...io, consumerConfig: opts.consumerConfig, logger: opts.logger }, opts.topic, opts.window, (rec) => {
      const entry = envelopeEntry(rec.value, rec.key);
      if (entry) acc.add({ ...entry, partition: rec.partition });
      else acc.addInvalid(rec.value ? rec.value.toString('utf8', 0, 200) : '(null value)');
    });
    const what = opts.window.kind === 'last' ? `last ${opts.window.perPartition} per partition` : `since ${formatDuration(opts.window.ms)} ago`;
    if (!result.complete) opts.logger.warn(`read ${result.read} of ${result.expected} records before --timeout; the report covers what was read`);
    return acc.report({ kind: 'topic', names: [opts.topic], sample: `${what}, ${result.read} records${result.complete ? '' : ', incomplete: timed out'}` });
  });
}

/** host and url from a urls-topic record (a UrlEnvelope); falls back to the URL's host, then to the key. */
export function envelopeEntry(value: Buffer | null, key: Buffer | null): { host: string; url: string } | null {
  if (!value) return null;
  let envelope: Partial<UrlEnvelope>;
  try {
    envelope = JSON.parse(value.toString('utf8')) as Partial<UrlEnvelope>;
  } catch {
    return null;
  }
  if (typeof envelope !== 'object' || envelope === null || typeof envelope.url !== 'string') return null;
  const host = (typeof envelope.host === 'string' && envelope.host) || hostKey(envelope.url) || (key ? key.toString('utf8') : '');
  return host ? { host, url: envelope.url } : null;
}
