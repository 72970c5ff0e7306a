/**
 * `kscrape check`: the cluster health verdict (health.ts) from a snapshot (snapshot.ts), and Redis when asked. An
 * unreachable cluster is CRITICAL (nothing answers: the alert must fire); Redis not answering is WARN (workers fall
 * back to local rate limits, see src/ratelimit/).
 */
import type { KafkaConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import { KscrapeError, errorMessage } from '../errors.js';
import { LAG_EXIT_NAMES, LagExit, worst, type LagExitCode } from '../lag/thresholds.js';
import { pingRedis } from '../ratelimit/redis-client.js';
import { evaluateCluster, type ClusterHealth } from './health.js';
import { renderClusterHealth } from './render.js';
import { readClusterSnapshot } from './snapshot.js';

export interface CheckOptions {
  config: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
  prefix: string;
  allTopics: boolean;
  brokers: string;
  redisUrl: string | undefined;
  json: boolean;
  tty: boolean;
  write(text: string): void;
}

export interface CheckReport {
  status: string;
  exit_code: LagExitCode;
  kafka: (ClusterHealth & { bootstrap: string; ms: number }) | { bootstrap: string; error: string };
  redis?: { ok: boolean; ms: number; error?: string };
}

export async function runCheck(opts: CheckOptions): Promise<LagExitCode> {
  const t0 = Date.now();
  let code: LagExitCode;
  let kafka: CheckReport['kafka'];
  try {
    const snapshot = await readClusterSnapshot(opts);
    const health = evaluateCluster(snapshot);
    code = health.code;
    kafka = { bootstrap: opts.brokers, ms: Date.now() - t0, ...health };
  } catch (err) {
    // Only the failures of the environment are a verdict; a mistake in the settings stays a usage error.
    if (err instanceof KscrapeError && err.code.startsWith('usage')) throw err;
    code = LagExit.critical;
    kafka = { bootstrap: opts.brokers, error: errorMessage(err) };
  }
  let redis: CheckReport['redis'];
  if (opts.redisUrl) {
    redis = await pingRedis(opts.redisUrl, opts.timeoutMs);
    if (!redis.ok) code = worst(code, LagExit.warn);
  }
  const report: CheckReport = { status: LAG_EXIT_NAMES[code], exit_code: code, kafka, ...(redis ? { redis } : {}) };
  if (opts.json) {
    opts.write(`${JSON.stringify(report)}\n`);
  } else {
    opts.write('error' in kafka ? `cluster CRITICAL: ${kafka.error}\n` : renderClusterHealth(kafka, opts.tty));
    if (redis) opts.write(`redis  ${redis.ok ? `ok  ${redis.ms} ms` : `WARN  ${redis.error ?? ''}`}\n`);
  }
  if ('error' in kafka) opts.logger.error(kafka.error);
  return code;
}
