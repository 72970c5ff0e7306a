/**
 * `kscrape topics create`: plan the standard set, compare with the cluster, create what is missing and, with --fix,
 * apply what Kafka allows on existing topics: more partitions, config changes (retention, compression, max message
 * size). Running it twice is safe: existing topics are reported, never recreated.
 */
import { UserError } from '../errors.js';
import { addPartitions, alterTopicConfigs, countBrokers, createTopic, readExistingTopics, type TopicIo } from './topic-io.js';
import { configChanges, diffTopic, diffTopics, planTopics, type PlanInput, type TopicDiff } from './plan.js';

export type TopicAction = 'created' | 'would-create' | 'exists' | 'fixed' | 'would-fix' | 'mismatch';

export interface TopicOutcome extends TopicDiff {
  action: TopicAction;
  /** What was (or, with --dry-run, would be) changed. */
  applied: string[];
}

export interface CreateTopicsResult {
  dryRun: boolean;
  brokers: number;
  replicationFactor: number;
  /** min.insync.replicas set on every topic. */
  minInsyncReplicas: number;
  topics: TopicOutcome[];
  /** Topics whose differences remain after this run (exit status 1 when > 0). */
  mismatches: number;
}

export interface CreateTopicsOptions {
  plan: Omit<PlanInput, 'brokerCount'>;
  dryRun: boolean;
  fix: boolean;
}

export async function createStandardTopics(io: TopicIo, opts: CreateTopicsOptions): Promise<CreateTopicsResult> {
  const brokers = await countBrokers(io);
  const rf = opts.plan.replicationFactor;
  if (rf !== undefined && rf > brokers) {
    throw new UserError(`--replication-factor ${rf} needs at least ${rf} brokers; the cluster has ${brokers}`, 'usage.replication-factor');
  }
  const desired = planTopics({ ...opts.plan, brokerCount: brokers });
  const existing = await readExistingTopics(io, desired.map((d) => d.topic));
  const outcomes: TopicOutcome[] = [];
  for (const diff of diffTopics(desired, existing)) outcomes.push(await apply(io, diff, opts));
  return {
    dryRun: opts.dryRun,
    brokers,
    replicationFactor: desired[0]?.replicationFactor ?? 0,
    minInsyncReplicas: Number(desired[0]?.configs['min.insync.replicas'] ?? 0),
    topics: outcomes,
    mismatches: outcomes.filter((o) => o.action === 'mismatch').length,
  };
}

async function apply(io: TopicIo, diff: TopicDiff, opts: CreateTopicsOptions): Promise<TopicOutcome> {
  const { desired } = diff;
  if (diff.status === 'create') {
    if (opts.dryRun) return { ...diff, action: 'would-create', applied: [] };
    if (await createTopic(io, desired)) {
      io.logger.debug(`created ${desired.topic}`);
      return { ...diff, action: 'created', applied: [] };
    }
    // Created by someone else between our look and our create: judge what is there now.
    const now = (await readExistingTopics(io, [desired.topic])).get(desired.topic) ?? null;
    if (!now) return { ...diff, action: 'exists', applied: [], notes: ['already exists (its metadata is not visible yet)'] };
    return outcomeOf(diffTopic(desired, now));
  }
  if (diff.status === 'ok' || !opts.fix) return outcomeOf(diff);

  const fixable = diff.differences.filter((d) => d.fixable);
  if (!fixable.length) return outcomeOf(diff);
  const applied = fixable.map((d) => `${d.field} ${d.have} → ${d.want}`);
  if (opts.dryRun) {
    const rest = diff.differences.filter((d) => !d.fixable);
    return { ...diff, differences: rest, action: rest.length ? 'mismatch' : 'would-fix', applied };
  }
  if (fixable.some((d) => d.field === 'partitions')) await addPartitions(io, desired.topic, desired.partitions);
  const configs = configChanges(diff);
  if (Object.keys(configs).length) await alterTopicConfigs(io, desired.topic, configs);
  const after = diffTopic(desired, (await readExistingTopics(io, [desired.topic])).get(desired.topic) ?? null);
  return { ...after, action: after.status === 'ok' ? 'fixed' : 'mismatch', applied };
}

function outcomeOf(diff: TopicDiff): TopicOutcome {
  return { ...diff, action: diff.status === 'mismatch' ? 'mismatch' : diff.status === 'create' ? 'would-create' : 'exists', applied: [] };
}
