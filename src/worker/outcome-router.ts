/**
 * Outcome routing: a URL's outcome records go to the result sink (delivered at once, at-least-once) or, with
 * --eos, to the transactor (held for the transaction that commits past the offset); only then is the offset
 * finished. The sink's byte budget is what the fetch stage waits on.
 */
import type { Logger } from '../log.js';
import type { Producer } from '../kafka/index.js';
import type { UrlEnvelope } from '../records/index.js';
import { errorMessage } from '../errors.js';
import { shrinkPageRecord } from './outcomes.js';
import { ResultSink, SinkClosed, type OutRecord } from './result-sink.js';
import type { WorkerStats } from './stats.js';
import type { Transactor } from './transactor.js';
import type { TrackedMessage } from './types.js';
import { WORK_DEFAULTS } from './options.js';

export interface OutcomeRouterOptions {
  producer: Producer;
  logger: Logger;
  stats: WorkerStats;
  maxRecordBytes?: number;
  /** How long a send waits for its delivery report before it is sent again (see ResultSink). */
  deliveryReportTimeoutMs?: number;
  transactor?: Pick<Transactor, 'hold'>;
  /** Told when a URL's outcome is delivered (the fair partitioner's depth counters go down). */
  onUrlFinished?(envelope: UrlEnvelope): void;
  /** Told after each offset is finished: the commit protocol counts it, intake may resume its partition. */
  onFinished(item: TrackedMessage): void;
}

export class OutcomeRouter {
  private readonly sink: ResultSink;

  constructor(private readonly opts: OutcomeRouterOptions) {
    const { stats, logger } = opts;
    this.sink = new ResultSink({
      producer: opts.producer,
      maxRecordBytes: opts.maxRecordBytes ?? WORK_DEFAULTS.maxRecordBytes,
      shrink: shrinkPageRecord,
      ...(opts.deliveryReportTimeoutMs ? { reportTimeoutMs: opts.deliveryReportTimeoutMs } : {}),
      onRetry: (_record, err, attempt) => {
        stats.deliveryRetries++;
        if (attempt === 1 || attempt % 10 === 0) logger.warn(`delivery failed (attempt ${attempt}), retrying: ${errorMessage(err)}`);
      },
    });
  }

  /**
   * Delivers the records and marks the offset finished; on a closed sink the offset stays unfinished.
   * With --eos the records are held for the transaction that will commit past this offset.
   */
  deliverThenFinish(item: TrackedMessage, records: OutRecord[]): Promise<void> {
    if (this.opts.transactor) {
      this.opts.transactor.hold(item.partition, item.offset, records);
      this.finish(item);
      return Promise.resolve();
    }
    return this.sink.deliver(records).then(
      () => this.finish(item),
      (err: unknown) => { if (!(err instanceof SinkClosed)) this.opts.logger.error(`delivery: ${errorMessage(err)}`); },
    );
  }

  /** Resolves when what awaits the broker is under `limitBytes`. */
  belowBytes(limitBytes: number): Promise<void> {
    return this.sink.belowBytes(limitBytes);
  }

  /** Waits up to `timeoutMs` for every delivery, then refuses new ones; returns how many were left undelivered. */
  async drainAndClose(timeoutMs: number): Promise<number> {
    const undelivered = await this.sink.drain(timeoutMs);
    this.sink.close();
    return undelivered;
  }

  private finish(item: TrackedMessage): void {
    item.offsets.finish(item.offset);
    if (item.envelope) this.opts.onUrlFinished?.(item.envelope);
    this.opts.onFinished(item);
  }
}
