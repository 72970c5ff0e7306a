/**
 * Reads what `kscrape lag` reports: groups, members and their assignments, committed offsets, log-end offsets,
 * and the timestamp of the oldest unconsumed record of each lagging partition. Every call has a deadline;
 * whatever could not be read is recorded as a problem (UNKNOWN for alerting), never as 0.
 * Committed offsets and members are read in a child process, because the client can crash on those two calls
 * (src/kafka/isolated-group-reads.ts); members only for groups the listing does not already settle (member-plan.ts).
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { errorMessage } from '../errors.js';
import { type Admin, groupStateName, taskKey, type CommittedOffset, type GroupMember, type GroupTask, type TaskResult } from '../kafka/index.js';
import { withDeadline } from '../deadline.js';
import type { TimestampProbe } from './oldest-record.js';
import { groupLag, partitionLag, probeOffset, type GroupLag, type LagProblem, type PartitionOffsets } from './lag-model.js';
import { planMemberReads, type GroupListing, type MemberSource } from './member-plan.js';

/** Runs group reads (offsets, describe); results keyed by taskKey, each a result or why there is none. */
export type ReadGroups = (tasks: GroupTask[]) => Promise<Map<string, TaskResult>>;

export interface CollectOptions {
  admin: Admin;
  readGroups: ReadGroups;
  /** The group listing, when the caller already has it (--all-groups); otherwise collectLag lists the groups. */
  listing?: GroupListing;
  /** Reads one record per lagging partition; undefined skips lag-in-time. */
  probe: TimestampProbe | undefined;
  groups: string[];
  timeoutMs: number;
  now?: () => number;
}

/** Every group the cluster knows with its state, including those with no live member (state Empty). */
export async function listGroups(admin: Admin, timeoutMs: number): Promise<GroupListing> {
  const { groups, errors } = await withDeadline(admin.listGroups({ timeout: timeoutMs }), timeoutMs + 1_000, 'list groups');
  return {
    groups: new Map(groups.map((g) => [g.groupId, { state: groupStateName(g.state as unknown as number), protocolType: g.protocolType }])),
    complete: errors.length === 0,
  };
}

interface RawGroup {
  group: string;
  state: string;
  /** null: the members could not be read. */
  members: number | null;
  partitions: PartitionOffsets[];
  problems: LagProblem[];
}

interface Membership {
  state: string;
  /** null when unknown. */
  members: GroupMember[] | null;
  problem?: LagProblem;
}

function membershipOf(source: MemberSource, results: Map<string, TaskResult>): Membership {
  if (source.from === 'listing') return { state: source.state, members: [] };
  const r = results.get(taskKey({ kind: 'describe', group: source.group }));
  if (r?.ok && 'description' in r) return { state: r.description.state, members: r.description.members };
  const why = r && !r.ok ? r.failure.detail : 'no answer';
  return { state: source.listedState ?? 'Unknown', members: null, problem: { kind: 'members', detail: `members of ${source.group} not readable (${why}); consumer, host and client shown as '-'` } };
}

function committedOf(group: string, results: Map<string, TaskResult>): { offsets: CommittedOffset[] } | { problem: LagProblem } {
  const r = results.get(taskKey({ kind: 'offsets', group }));
  if (r?.ok && 'offsets' in r) return { offsets: r.offsets };
  return { problem: { kind: 'offsets', detail: `committed offsets of ${group}: ${r && !r.ok ? r.failure.detail : 'no answer'}` } };
}

/** The listing, or undefined when it failed: then every group is described. */
async function tryListing(admin: Admin, timeoutMs: number): Promise<GroupListing | undefined> {
  try {
    return await listGroups(admin, timeoutMs);
  } catch {
    return undefined;
  }
}

export async function collectLag(opts: CollectOptions): Promise<GroupLag[]> {
  const { admin, timeoutMs } = opts;
  const deadline = <T>(p: Promise<T>, what: string) => withDeadline(p, timeoutMs + 1_000, what);
  const sources = planMemberReads(opts.groups, opts.listing ?? await tryListing(admin, timeoutMs));
  const tasks: GroupTask[] = [
    ...sources.map((x): GroupTask => ({ kind: 'offsets', group: x.group })),
    ...sources.filter((x) => x.from === 'describe').map((x): GroupTask => ({ kind: 'describe', group: x.group })),
  ];
  const results = await opts.readGroups(tasks).catch((err: unknown) =>
    new Map<string, TaskResult>(tasks.map((t) => [taskKey(t), { ok: false, failure: { kind: 'failed', detail: errorMessage(err) } }])));
  const raws = sources.map((source): RawGroup => {
    const { group } = source;
    const m = membershipOf(source, results);
    const problems: LagProblem[] = m.problem ? [m.problem] : [];
    const read = committedOf(group, results);
    const offsetsRead = 'offsets' in read;
    if (!offsetsRead) problems.push(read.problem);
    const owners = new Map<string, PartitionOffsets['owner']>();
    for (const member of m.members ?? []) {
      for (const tp of member.partitions) {
        owners.set(`${tp.topic}\u0000${tp.partition}`, { consumerId: member.memberId, host: member.host, clientId: member.clientId });
      }
    }
    const parts = new Map<string, PartitionOffsets>();
    for (const p of offsetsRead ? read.offsets : []) {
      const key = `${p.topic}\u0000${p.partition}`;
      parts.set(key, { topic: p.topic, partition: p.partition, committed: p.offset >= 0 ? p.offset : null, logEnd: null, owner: owners.get(key) ?? null });
    }
    for (const [key, owner] of owners) {
      if (parts.has(key)) continue;
      const [topic, partition] = key.split('\u0000') as [string, string];
      parts.set(key, { topic, partition: Number(partition), committed: null, logEnd: null, owner });
    }
    // As kafka-consumer-groups does: a group with neither members nor offsets does not exist. Without the members
    // and without offsets, what the group consumes is unknown: UNKNOWN, whatever the limits.
    if (m.state === 'Dead' || (parts.size === 0 && m.members?.length === 0 && offsetsRead)) {
      problems.push({ kind: 'offsets', detail: `consumer group ${group} does not exist` });
    } else if (parts.size === 0 && m.members === null && offsetsRead) {
      problems.push({ kind: 'offsets', detail: `${group} has no committed offsets and its members are not readable: what it consumes is unknown` });
    }
    return { group, state: m.state, members: m.members?.length ?? null, partitions: [...parts.values()], problems };
  });

  const topics = [...new Set(raws.flatMap((r) => r.partitions.map((p) => p.topic)))];
  const logEnds = new Map<string, number>();
  const topicProblems = new Map<string, string>();
  await Promise.all(topics.map(async (topic) => {
    try {
      const offsets = await deadline(admin.fetchTopicOffsets(topic, { timeout: timeoutMs, isolationLevel: KafkaJS.IsolationLevel.READ_UNCOMMITTED }), `log-end offsets of ${topic}`);
      for (const o of offsets) logEnds.set(`${topic}\u0000${o.partition}`, Number(o.high));
    } catch (err) {
      topicProblems.set(topic, errorMessage(err));
    }
  }));
  for (const r of raws) {
    for (const p of r.partitions) p.logEnd = logEnds.get(`${p.topic}\u0000${p.partition}`) ?? null;
  }

  const targets = raws.flatMap((r) => r.partitions.flatMap((p) => {
    const offset = probeOffset(p);
    return offset === undefined ? [] : [{ topic: p.topic, partition: p.partition, offset }];
  }));
  const probed = opts.probe && targets.length ? await opts.probe(targets) : { timestamps: new Map<string, number>(), endsAt: new Map<string, number>() };
  const now = (opts.now ?? Date.now)();
  return raws.map((r) => {
    const problems = [...r.problems];
    for (const t of new Set(r.partitions.map((p) => p.topic))) {
      const why = topicProblems.get(t);
      if (why) problems.push({ kind: 'offsets', detail: `log-end offsets of ${t}: ${why}` });
    }
    return groupLag({
      group: r.group, state: r.state, members: r.members, problems,
      partitions: r.partitions.map((p) => {
        const key = `${p.topic}:${p.partition}:${p.committed}`;
        const end = probed.endsAt.get(key);
        return partitionLag(p, probed.timestamps.get(key), now, end !== undefined && p.logEnd !== null && end >= p.logEnd);
      }),
    });
  });
}
