/**
 * Reads a ClusterSnapshot (health.ts): the brokers the metadata lists, each probed on its own; the controller id;
 * leader, replicas and ISR of every partition of the topics in scope, with their min.insync.replicas.
 * In scope: kscrape's topics (the standard set under the prefix) and the two internal topics kscrape depends on
 * (__consumer_offsets: committed positions; __transaction_state: --eos), or every topic with allTopics.
 */
import { TOPICS } from '../records/index.js';
import type { Logger } from '../log.js';
import type { KafkaConfig } from '../kafka/index.js';
import { errorMessage } from '../errors.js';
import { listBrokers, listTopicNames, readExistingTopics, withTopicIo } from '../topics/topic-io.js';
import type { ClusterSnapshot } from './health.js';
import { probeBroker, readControllerId } from './probe.js';

export const INTERNAL_TOPICS_KSCRAPE_NEEDS = ['__consumer_offsets', '__transaction_state'] as const;

export interface SnapshotOptions {
  config: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
  prefix: string;
  allTopics: boolean;
}

export async function readClusterSnapshot(opts: SnapshotOptions): Promise<ClusterSnapshot> {
  // Each step's time in the debug log: a check that times out says which request waited.
  const timed = <T>(what: string, p: Promise<T>): Promise<T> => {
    const t0 = Date.now();
    return p.finally(() => opts.logger.debug(`check: ${what} took ${Date.now() - t0} ms`));
  };
  return withTopicIo(opts, async (io) => {
    const [listed, names] = await Promise.all([timed('broker list', listBrokers(io)), timed('topic names', listTopicNames(io))]);
    const present = new Set(names);
    const wanted = opts.allTopics
      ? names
      : [...Object.values(TOPICS).map((t) => `${opts.prefix}${t}`), ...INTERNAL_TOPICS_KSCRAPE_NEEDS].filter((t) => present.has(t));
    const probeOpts = { config: opts.config, logger: opts.logger, timeoutMs: opts.timeoutMs };
    const [existing, controllerId, probes] = await Promise.all([
      timed('topics', readExistingTopics(io, wanted)),
      timed('controller', readControllerId(probeOpts)).catch((err: unknown) => { opts.logger.warn(`the controller could not be read: ${errorMessage(err)}`); return null; }),
      Promise.all(listed.map(async (b) => {
        const address = `${b.host}:${b.port}`;
        try {
          return { id: b.id, address, ...(await probeBroker(probeOpts, address)) };
        } catch (err) {
          opts.logger.debug(`broker ${b.id} not probed: ${errorMessage(err)}`);
          return { id: b.id, address, answered: null };
        }
      })),
    ]);
    const topics = [...existing.values()].sort((a, b) => a.topic.localeCompare(b.topic)).map((t) => {
      const minIsr = t.configs?.['min.insync.replicas'];
      return { topic: t.topic, partitions: t.replicaStates ?? [], minInsyncReplicas: minIsr !== undefined && /^\d+$/.test(minIsr) ? Number(minIsr) : null };
    });
    return { brokers: probes, controllerId, topics };
  });
}
