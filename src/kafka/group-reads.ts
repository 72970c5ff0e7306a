/**
 * Reads of consumer groups that the Kafka client can crash on, as plain data, and the wire format between kscrape
 * and the short-lived process that makes them (see isolated-group-reads.ts for why they run in a process of their
 * own): a group's committed offsets (admin fetchOffsets) and its description (admin describeGroups). Pure.
 *
 * The child writes one JSON line per task it finished, in the order it finished them, then a final line:
 *   {"task":{"kind":"offsets","group":"g"},"offsets":[{"topic":"t","partition":0,"offset":4}]}
 *   {"task":{"kind":"describe","group":"g"},"description":{"group":"g","state":"Stable","members":[...]}}
 *   {"task":{...},"error":{"code":16,"message":"..."}}   the broker answered this task with an error
 *   {"done":true}                                         every task was answered
 *   {"failed":"message"}                                  the child could not work at all (connect failed)
 * A child that dies (a signal) or stops before `done` leaves the tasks it had not answered without an answer.
 */

export type GroupTask = { kind: 'offsets' | 'describe'; group: string };

export const taskKey = (t: GroupTask): string => `${t.kind}\u0000${t.group}`;

/** A committed offset; -1 when the group has none for the partition. */
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
}

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Partitions assigned to the member. */
  partitions: { topic: string; partition: number }[];
}

export interface TaskError {
  /** librdkafka error code (Kafka protocol codes are positive, client-side ones negative). */
  code: number;
  message: string;
}

export interface GroupDescription {
  group: string;
  /** State name as Kafka prints it: Stable, Empty, PreparingRebalance, ... */
  state: string;
  members: GroupMember[];
}

/** librdkafka's rd_kafka_consumer_group_state_t, named as kafka-consumer-groups names them. */
export const GROUP_STATE_NAMES: Record<number, string> = {
  0: 'Unknown',
  1: 'PreparingRebalance',
  2: 'CompletingRebalance',
  3: 'Stable',
  4: 'Dead',
  5: 'Empty',
  6: 'Assigning',
  7: 'Reconciling',
};

export const groupStateName = (state: number): string => GROUP_STATE_NAMES[state] ?? String(state);

/**
 * Answers worth asking again after a short pause: the coordinator is loading the group (fresh broker, partition
 * moved) or moved to another broker (restart), or the request timed out on the way. (In the client 1.10.1 most of
 * these never arrive as answers: the process crashes instead, which is retried the same way.)
 */
export const RETRIABLE_GROUP_ERRORS: ReadonlySet<number> = new Set([
  14, // COORDINATOR_LOAD_IN_PROGRESS
  15, // COORDINATOR_NOT_AVAILABLE
  16, // NOT_COORDINATOR
  -185, // _TIMED_OUT
]);

export const isRetriableGroupError = (e: TaskError | undefined): boolean => e !== undefined && RETRIABLE_GROUP_ERRORS.has(e.code);

/** The shape the client's describeGroups answers with, as far as kscrape reads it. */
export interface ClientGroupDescription {
  groupId: string;
  state: number;
  members: { memberId: string; clientId: string; clientHost: string; assignment?: { topicPartitions?: { topic: string; partition: number }[] } }[];
  error?: { code?: number; message?: string } | null;
}

export function fromClientDescription(d: ClientGroupDescription): GroupDescription {
  const out: GroupDescription = {
    group: d.groupId,
    state: groupStateName(d.state),
    members: (d.members ?? []).map((m) => ({
      memberId: m.memberId, clientId: m.clientId, host: m.clientHost,
      partitions: (m.assignment?.topicPartitions ?? []).map((tp) => ({ topic: tp.topic, partition: tp.partition })),
    })),
  };
  return out;
}

/** The error of a description, or of a rejected call: librdkafka's numeric code when there is one, else -1. */
export function taskErrorOf(e: { code?: unknown; message?: unknown } | null | undefined): TaskError | undefined {
  if (!e) return undefined;
  return { code: typeof e.code === 'number' ? e.code : -1, message: String(e.message ?? 'error') };
}

/** The client's fetchOffsets answer, flattened. */
export function fromClientOffsets(topics: { topic: string; partitions: { partition: number; offset: string }[] }[]): CommittedOffset[] {
  return topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
}

/** What the child reads on stdin. The librdkafka config travels only here: never in argv or env (visible in ps). */
export interface GroupReadsRequest {
  config: Record<string, string | number | boolean>;
  tasks: GroupTask[];
  /** `batch`: all tasks at once; `each`: one call per task, in order (a crash names its task). */
  mode: 'batch' | 'each';
  timeoutMs: number;
}

/** Offsets reads a child may start before its request arrives (they are needed whatever the request says). */
export interface EarlyReads {
  tasks: GroupTask[];
  timeoutMs: number;
}

export type TaskAnswer =
  | { task: GroupTask; offsets: CommittedOffset[] }
  | { task: GroupTask; description: GroupDescription }
  | { task: GroupTask; error: TaskError };

export type ChildLine = TaskAnswer | { done: true } | { failed: string };

export interface ChildAnswer {
  answers: TaskAnswer[];
  done: boolean;
  failed?: string;
}

/** Reads the child's stdout. A malformed or partial last line (the child died while writing) is ignored. */
export function parseChildOutput(stdout: string): ChildAnswer {
  const answer: ChildAnswer = { answers: [], done: false };
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null) continue;
    const o = parsed as Record<string, unknown>;
    const task = o.task as GroupTask | undefined;
    if (o.done === true) answer.done = true;
    else if (typeof o.failed === 'string') answer.failed = o.failed;
    else if (task && typeof task.group === 'string' && (task.kind === 'offsets' || task.kind === 'describe')
      && (Array.isArray(o.offsets) || typeof o.description === 'object' || typeof o.error === 'object')) answer.answers.push(o as unknown as TaskAnswer);
  }
  return answer;
}

/** Why a task has no answer. */
export type TaskFailureKind = 'crashed' | 'timeout' | 'failed' | 'error-answer';

export interface TaskFailure {
  kind: TaskFailureKind;
  /** One line for people: what happened, with the signal or error. */
  detail: string;
}

export type TaskResult =
  | { ok: true; offsets: CommittedOffset[] }
  | { ok: true; description: GroupDescription }
  | { ok: false; failure: TaskFailure };

/** How a child ended, as the parent saw it. */
export interface ChildExit {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
  /** Last line of the child's stderr, already scrubbed of secrets; for the failure message. */
  stderrTail?: string;
}

/** Why the child left the tasks it did not answer unanswered; undefined when it ended normally with `done`. */
export function childFailure(exit: ChildExit, answer: ChildAnswer, deadlineMs: number): TaskFailure | undefined {
  if (exit.timedOut) return { kind: 'timeout', detail: `no answer within ${deadlineMs} ms` };
  if (exit.signal) return { kind: 'crashed', detail: `the Kafka client crashed (${exit.signal}) in the process that reads groups, a known client bug on coordinator errors` };
  if (answer.failed !== undefined) return { kind: 'failed', detail: answer.failed };
  if (exit.code !== 0 || !answer.done) {
    return { kind: 'failed', detail: `the process that reads groups exited with code ${exit.code ?? '?'}${exit.stderrTail ? `: ${exit.stderrTail}` : ''}` };
  }
  return undefined;
}
