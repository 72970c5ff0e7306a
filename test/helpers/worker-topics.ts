import { uniqueName } from './env.js';
import { withAdmin } from './kafka.js';

export interface PipelineTopics {
  prefix: string;
  urls: string;
  pages: string;
  errors: string;
  dlq: string;
  metrics: string;
}

/** The worker's five topics under a fresh prefix; urls gets `urlPartitions` partitions. */
export async function createPipelineTopics(urlPartitions = 3): Promise<PipelineTopics> {
  const prefix = `${uniqueName('t')}.`;
  const t = { prefix, urls: `${prefix}urls`, pages: `${prefix}pages`, errors: `${prefix}errors`, dlq: `${prefix}dlq`, metrics: `${prefix}metrics` };
  await withAdmin((admin) => admin.createTopics({
    topics: [
      { topic: t.urls, numPartitions: urlPartitions, replicationFactor: 1 },
      ...[t.pages, t.errors, t.dlq, t.metrics].map((topic) => ({
        topic, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(8 * 1024 * 1024) }],
      })),
    ],
  }));
  return t;
}
