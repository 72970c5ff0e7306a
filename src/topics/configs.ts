/**
 * Reads and changes topic configs (retention.ms, compression.type, max.message.bytes, ...) through
 * @platformatic/kafka's DescribeConfigs and IncrementalAlterConfigs: @confluentinc/kafka-javascript 1.10 has
 * neither (they are commented out in its binding). Incremental, never the legacy AlterConfigs: that one replaces
 * every dynamic config of the topic, silently resetting the ones not named.
 *
 * Values are the broker's effective ones (a topic without its own retention.ms reports the broker default).
 */
import { ConfigResourceTypes, IncrementalAlterConfigOperationTypes } from '@platformatic/kafka';
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createConfigAdmin, type KafkaConfig } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import { scrubSecrets } from '../redact.js';

export type ConfigValues = Map<string, string>;

export interface TopicConfigs {
  /** The configs of each topic (all must exist), by topic name: `keys` only, or all of them. */
  describeTopicConfigs(topics: readonly string[], keys?: readonly string[]): Promise<Map<string, ConfigValues>>;
  /** Sets the named configs (others are kept) and waits until the broker reports them. */
  alterTopicConfigs(topic: string, values: Readonly<Record<string, string>>): Promise<void>;
  close(): Promise<void>;
}

export interface TopicConfigsOptions {
  config: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
}

const VISIBLE_POLL_MS = 200;

/** Throws ConfigsUnreadable (a UserError) when the Kafka settings cannot be carried over to this client. */
export function openTopicConfigs(opts: TopicConfigsOptions): TopicConfigs {
  const adminReady = createConfigAdmin(opts, opts.timeoutMs);
  const deadline = opts.timeoutMs + 1_000;

  async function describeTopicConfigs(topics: readonly string[], keys?: readonly string[]): Promise<Map<string, ConfigValues>> {
    const out = new Map<string, ConfigValues>();
    if (!topics.length) return out;
    const configurationKeys = keys ? [...keys] : null;
    const resources = topics.map((resourceName) => ({ resourceType: ConfigResourceTypes.TOPIC, resourceName, configurationKeys }));
    const described = await call((await adminReady).describeConfigs({ resources }), deadline, `read configs of ${topics.length} topic(s)`);
    for (const r of described) {
      const values: ConfigValues = new Map();
      for (const c of r.configs) if (typeof c.value === 'string') values.set(c.name, c.value);
      out.set(r.resourceName, values);
    }
    return out;
  }

  async function alterTopicConfigs(topic: string, values: Readonly<Record<string, string>>): Promise<void> {
    const configs = Object.entries(values).map(([name, value]) => ({ name, value, configOperation: IncrementalAlterConfigOperationTypes.SET }));
    if (!configs.length) return;
    await call((await adminReady).incrementalAlterConfigs({ resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: topic, configs }] }), deadline, `alter configs of ${topic}`);
    // With KRaft the change reaches the broker we read from a moment after the controller accepted it.
    const until = Date.now() + opts.timeoutMs;
    for (;;) {
      const now = (await describeTopicConfigs([topic], Object.keys(values))).get(topic);
      const pending = Object.entries(values).filter(([k, v]) => now?.get(k) !== v).map(([k]) => k);
      if (!pending.length) return;
      if (Date.now() >= until) {
        throw new RuntimeFailure(`altered ${topic}, but the broker still reports the old ${pending.join(', ')} after ${opts.timeoutMs / 1000} s`, 'kafka.alter-configs', { retriable: true });
      }
      await new Promise((resolve) => setTimeout(resolve, VISIBLE_POLL_MS));
    }
  }

  const close = () => withDeadline(adminReady.then((admin) => admin.close()), 5_000, 'config admin close').catch(() => undefined);
  return { describeTopicConfigs, alterTopicConfigs, close };
}

async function call<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  try {
    return await withDeadline(promise, ms, what);
  } catch (err) {
    throw new RuntimeFailure(`cannot ${what}: ${scrubSecrets(innermostMessages(err))}`, 'kafka.topic-configs', { cause: err });
  }
}

/** @platformatic/kafka nests the broker's reason in `errors` (MultipleErrors → ResponseError → ProtocolError). */
export function innermostMessages(err: unknown): string {
  const leaves: string[] = [];
  const walk = (e: unknown, depth: number) => {
    const nested = (e as { errors?: unknown[] } | undefined)?.errors;
    if (depth < 5 && Array.isArray(nested) && nested.length) nested.forEach((n) => walk(n, depth + 1));
    else leaves.push(errorMessage(e));
  };
  walk(err, 0);
  return [...new Set(leaves)].join('; ');
}
