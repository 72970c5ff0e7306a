/**
 * The politeness gate: what a host sees of kscrape, shared by everything that fetches (`work`, `sitemap`). It owns the rate rules a URL must pass (the
 * configured ones, with a host's interval raised to its robots.txt Crawl-delay), the hooks the fetcher calls
 * around every request (robots.txt, redirects), and the hold-off a Retry-After asks for.
 */
import { politenessHostOf, type UrlEnvelope } from '../records/index.js';
import type { Limiter, RateRule } from '../ratelimit/limiter.js';
import type { FetchOutcome, RequestHooks } from '../fetch/types.js';

export interface PolitenessGateOptions {
  limiter: Pick<Limiter, 'tryAcquire' | 'holdOff'>;
  /** The configured rate rules of a URL (its host's, and its customer's when configured). */
  rulesFor(envelope: UrlEnvelope, host: string): readonly RateRule[];
  /** A host's robots.txt Crawl-delay in ms, when known. */
  crawlDelayMs?(host: string): number | undefined;
}

export class PolitenessGate {
  constructor(private readonly opts: PolitenessGateOptions) {}

  /** The rules a request to `host` must pass: the scheduler's admission and every further request alike. */
  rulesFor(envelope: UrlEnvelope, host: string): readonly RateRule[] {
    const rules = this.opts.rulesFor(envelope, host);
    // robots.txt's Crawl-delay can only make a host slower than configured, never faster.
    const crawlDelayMs = this.opts.crawlDelayMs?.(host) ?? 0;
    return crawlDelayMs ? rules.map((r) => (r.key === `host:${host}` && r.intervalMs < crawlDelayMs ? { ...r, intervalMs: crawlDelayMs } : r)) : rules;
  }

  /**
   * Politeness is what the host sees. The scheduler admitted the fetch's first request; the fetcher asks
   * before each further one (robots.txt, redirects), and every request, once actually sent, pushes its host's
   * next admission to one interval after that moment — a slow connect can delay a request well past the
   * moment the limiter admitted it.
   */
  hooks(envelope: UrlEnvelope, signal: AbortSignal): RequestHooks {
    const { limiter } = this.opts;
    const intervalOf = (host: string) => this.rulesFor(envelope, host).find((r) => r.key === `host:${host}`)?.intervalMs ?? 0;
    let lastSent: { host: string; at: number } | undefined;
    return {
      beforeRequest: async (url: URL) => {
        const host = politenessHostOf(url);
        // The previous request of this fetch was spaced by the interval known when it left; robots.txt may have
        // raised it since (Crawl-delay), and the next request must keep the raised one from that send.
        if (lastSent?.host === host) {
          const holdMs = lastSent.at + intervalOf(host) + 1 - Date.now();
          if (holdMs > 0) await limiter.holdOff(`host:${host}`, holdMs, 'spacing').catch(() => undefined);
        }
        for (;;) {
          if (signal.aborted) throw new Error('aborted');
          const answer = await limiter.tryAcquire(this.rulesFor(envelope, host)).catch(() => ({ granted: false, retryAfterMs: 500 }));
          if (answer.granted) return;
          await new Promise((r) => setTimeout(r, answer.retryAfterMs));
        }
      },
      sent: async (url: URL, at: number) => {
        const host = politenessHostOf(url);
        lastSent = { host, at };
        // +1: `at` is a millisecond clock reading, up to 1 ms earlier than the real send.
        const holdMs = at + intervalOf(host) + 1 - Date.now();
        if (holdMs > 0) await limiter.holdOff(`host:${host}`, holdMs, 'spacing').catch(() => undefined);
      },
    };
  }

  /** A host that asked us to come back later (429/503 Retry-After) gets nothing before then. */
  async honourRetryAfter(host: string, result: FetchOutcome): Promise<void> {
    if (result.kind === 'retryable' && result.retryAfterMs) {
      await this.opts.limiter.holdOff(`host:${host}`, result.retryAfterMs).catch(() => undefined);
    }
  }
}
