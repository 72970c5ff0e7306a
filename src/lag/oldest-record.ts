/**
 * The age of the oldest unconsumed record: the timestamp of the record at each lagging partition's committed
 * offset. One assign-only consumer reads a single record per partition, all partitions at once, within a
 * deadline; partitions it could not read in time are simply missing from the answer (UNKNOWN, not 0).
 * The consumer starts connecting when the probe is opened, so it is ready by the time the offsets are known.
 */
import type { Logger } from '../log.js';
import { AssignedReader, LAG_TIMESTAMP_READER_SETTINGS, type KafkaConfig, type PartitionStart } from '../kafka/index.js';

/** Map keys: `topic:partition:offset` (the offset asked for). */
export interface ProbeResult {
  /** The timestamp (ms) of the first record at or after the offset asked for. */
  timestamps: Map<string, number>;
  /**
   * Partitions the reader (read_committed) found at their end without any record at or after the offset asked
   * for, and that end's offset: what lies between is transaction markers or aborted records.
   */
  endsAt: Map<string, number>;
}

export type TimestampProbe = (targets: PartitionStart[]) => Promise<ProbeResult>;

export interface OpenProbe {
  probe: TimestampProbe;
  close(): Promise<void>;
}

export function openTimestampProbe(opts: { config: KafkaConfig; logger: Logger; timeoutMs: number }): OpenProbe {
  const opening = AssignedReader.open({
    config: opts.config, logger: opts.logger, connectTimeoutMs: opts.timeoutMs,
    // One record is all we want: keep fetches and the prefetch queue small.
    extra: LAG_TIMESTAMP_READER_SETTINGS,
  });
  // Failing to open is reported by the probe call; never an unhandled rejection meanwhile.
  opening.catch(() => undefined);
  const probe: TimestampProbe = async (targets) => {
    const found = new Map<string, number>();
    const endsAt = new Map<string, number>();
    const started = Date.now();
    const deadline = started + opts.timeoutMs;
    let reader: AssignedReader;
    try {
      reader = await opening;
    } catch (err) {
      opts.logger.warn(`lag: cannot read record timestamps: ${(err as Error).message}`);
      return { timestamps: found, endsAt };
    }
    const asked = new Map(targets.map((t) => [`${t.topic}:${t.partition}`, t.offset]));
    reader.assign(targets);
    while (asked.size > 0 && Date.now() < deadline) {
      const { records, eof } = await reader.poll(Math.max(100, asked.size));
      for (const r of records) {
        const key = `${r.topic}:${r.partition}`;
        const offset = asked.get(key);
        // A record before the offset asked for is left from an earlier assignment (the previous --watch report).
        if (offset === undefined || r.offset < offset) continue;
        // A committed offset below the log start (records deleted by retention) reads from the first record left.
        if (r.timestamp !== undefined && r.timestamp >= 0) found.set(`${key}:${offset}`, r.timestamp);
        asked.delete(key);
      }
      for (const e of eof) {
        const key = `${e.topic}:${e.partition}`;
        const offset = asked.get(key);
        if (offset === undefined || e.offset < offset) continue;
        endsAt.set(`${key}:${offset}`, e.offset);
        asked.delete(key);
      }
    }
    // Partitions already read are neither paused nor kept: librdkafka keeps a pause across a later assign() (the
    // next --watch report never read them again), and fetches a resumed partition only after about a second.
    // The small fetch settings bound what they prefetch meanwhile; unassigning ends it.
    reader.unassign();
    opts.logger.debug(`lag: read ${found.size}/${targets.length} oldest-record timestamps in ${Date.now() - started} ms`);
    if (asked.size) opts.logger.debug(`lag: no record read within ${opts.timeoutMs} ms for ${[...asked.keys()].join(', ')}`);
    return { timestamps: found, endsAt };
  };
  return { probe, close: () => opening.then((r) => r.close(), () => undefined) };
}
