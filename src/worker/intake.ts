/**
 * Intake of `kscrape work`: a consumed message becomes a URL to fetch. Malformed messages go straight to
 * outcome routing; parsed ones are queued for their host. The look-ahead, the message limit and the rest of
 * the consumer-side bookkeeping are lookahead-intake.ts's.
 */
import type { RawMessage } from './consumer-session.js';
import { LookaheadIntake, type LookaheadIntakeOptions } from './lookahead-intake.js';
import { decodeUrlEnvelope, politenessHostOf, type UrlEnvelope } from '../records/index.js';
import { malformedRecords, stoppedRecords, type OutcomeContext } from './outcomes.js';
import type { OutRecord } from './result-sink.js';
import type { WorkerStats } from './stats.js';
import type { TrackedMessage, WorkItem } from './types.js';

export interface IntakeOptions extends LookaheadIntakeOptions {
  stats: Pick<WorkerStats, 'consumed' | 'malformed' | 'stopped'>;
  /** --follow: whether the envelope's crawl was stopped (its URLs are dropped unfetched, a metric each). */
  isStopped?(envelope: UrlEnvelope): boolean;
  ctx(): OutcomeContext;
  /** Queues a parsed URL for its host (the scheduler). */
  schedule(item: WorkItem): void;
  /** Outcome routing for a message that needs no fetch (malformed). */
  route(item: TrackedMessage, records: OutRecord[]): void;
}

export class Intake extends LookaheadIntake {
  constructor(private readonly opts: IntakeOptions) {
    super(opts);
  }

  protected take(m: RawMessage, tracked: TrackedMessage): void {
    const { stats } = this.opts;
    const parsed = decodeUrlEnvelope(m.value);
    if (!parsed.ok) {
      stats.malformed++;
      this.opts.route(tracked, malformedRecords(m, parsed.malformed, this.opts.ctx()));
      return;
    }
    if (this.opts.isStopped?.(parsed.envelope)) {
      stats.stopped++;
      this.opts.route({ ...tracked, envelope: parsed.envelope }, stoppedRecords(parsed.envelope, this.opts.ctx()));
      return;
    }
    // The scheduler queues by politeness host (no port), the limiter's unit; the decoder checked the URL parses.
    const host = politenessHostOf(new URL(parsed.envelope.url));
    this.opts.schedule({ host, ...tracked, envelope: parsed.envelope });
  }
}
