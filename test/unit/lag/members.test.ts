/**
 * Member information in `kscrape lag`: which groups need a describe (member-plan.ts), the child's wire format and
 * how its end is read (group-description.ts), and what the report says when members could not be read.
 */
import { describe, expect, test } from '@jest/globals';
import type { Admin } from '../../../src/kafka/clients.js';
import {
  childFailure, fromClientDescription, fromClientOffsets, isRetriableGroupError, parseChildOutput, taskKey, taskErrorOf,
  type GroupDescription, type GroupTask, type TaskResult,
} from '../../../src/kafka/group-reads.js';
import { collectLag, type ReadGroups } from '../../../src/lag/collect.js';
import type { TimestampProbe } from '../../../src/lag/oldest-record.js';
import { consumerGroupIds, planMemberReads, type GroupListing } from '../../../src/lag/member-plan.js';
import { partitionStatus } from '../../../src/lag/partition-status.js';
import { renderSummary, renderTable, toJson } from '../../../src/lag/render.js';
import { evaluate, LagExit } from '../../../src/lag/thresholds.js';

const listing = (complete: boolean, groups: [string, string, string?][]): GroupListing => ({
  complete, groups: new Map(groups.map(([id, state, protocolType]) => [id, { state, protocolType: protocolType ?? 'consumer' }])),
});

describe('which groups need a describe', () => {
  test('Empty and Dead groups are settled by the listing; Stable and rebalancing ones are described', () => {
    const l = listing(true, [['idle', 'Empty'], ['busy', 'Stable'], ['moving', 'PreparingRebalance'], ['gone', 'Dead']]);
    expect(planMemberReads(['idle', 'busy', 'moving', 'gone'], l)).toEqual([
      { group: 'idle', from: 'listing', state: 'Empty' },
      { group: 'busy', from: 'describe', listedState: 'Stable' },
      { group: 'moving', from: 'describe', listedState: 'PreparingRebalance' },
      { group: 'gone', from: 'listing', state: 'Dead' },
    ]);
  });

  test('a group missing from a complete listing does not exist; from an incomplete one, it is described', () => {
    expect(planMemberReads(['x'], listing(true, []))).toEqual([{ group: 'x', from: 'listing', state: 'Dead' }]);
    expect(planMemberReads(['x'], listing(false, []))).toEqual([{ group: 'x', from: 'describe' }]);
  });

  test('without a listing (it failed) every group is described', () => {
    expect(planMemberReads(['a', 'b'], undefined).map((s) => s.from)).toEqual(['describe', 'describe']);
  });

  test('--all-groups takes consumer and simple groups, sorted, not other protocols', () => {
    expect(consumerGroupIds(listing(true, [['b', 'Empty', 'simple'], ['a', 'Stable'], ['connect', 'Stable', 'connect']]))).toEqual(['a', 'b']);
  });
});

describe('the group reads child protocol', () => {
  const d: GroupDescription = { group: 'g', state: 'Stable', members: [{ memberId: 'm1', clientId: 'c', host: '/h', partitions: [{ topic: 't', partition: 0 }] }] };

  test('reads answers in order and the done line; ignores a partial last line and noise', () => {
    const lines = [
      { task: { kind: 'offsets', group: 'g' }, offsets: [{ topic: 't', partition: 0, offset: 4 }] },
      { task: { kind: 'describe', group: 'g' }, description: d },
      { task: { kind: 'describe', group: 'h' }, error: { code: 16, message: 'Not coordinator' } },
    ].map((l) => JSON.stringify(l));
    const a = parseChildOutput(`${lines[0]}\nnot json\n${lines[1]}\n{"task":{"kind":"other","group":"x"},"offsets":[]}\n${lines[2]}\n{"done":true}\n{"task":{"kind":"off`);
    expect(a.answers.map((x) => [x.task.kind, x.task.group, Object.keys(x)[1]])).toEqual([['offsets', 'g', 'offsets'], ['describe', 'g', 'description'], ['describe', 'h', 'error']]);
    expect(a.done).toBe(true);
  });

  test('a child killed by a signal crashed; a deadline is a timeout; a failed line or a bad exit is a failure', () => {
    const none = parseChildOutput('');
    expect(childFailure({ code: null, signal: 'SIGSEGV', timedOut: false }, none, 1000)?.kind).toBe('crashed');
    expect(childFailure({ code: null, signal: 'SIGKILL', timedOut: true }, none, 1000)).toEqual({ kind: 'timeout', detail: 'no answer within 1000 ms' });
    expect(childFailure({ code: 1, signal: null, timedOut: false }, parseChildOutput('{"failed":"connect timed out"}\n'), 1000))
      .toEqual({ kind: 'failed', detail: 'connect timed out' });
    expect(childFailure({ code: 1, signal: null, timedOut: false, stderrTail: 'boom' }, none, 1000)?.detail).toContain('code 1: boom');
    expect(childFailure({ code: 0, signal: null, timedOut: false }, none, 1000)?.kind).toBe('failed');
    expect(childFailure({ code: 0, signal: null, timedOut: false }, parseChildOutput('{"done":true}'), 1000)).toBeUndefined();
  });

  test('the client\'s answers become plain data: state names, flat offsets, numeric error codes', () => {
    expect(fromClientDescription({
      groupId: 'g', state: 3,
      members: [{ memberId: 'm1', clientId: 'c', clientHost: '/h', assignment: { topicPartitions: [{ topic: 't', partition: 0 }] } }],
    })).toEqual(d);
    expect(fromClientOffsets([{ topic: 't', partitions: [{ partition: 0, offset: '4' }, { partition: 1, offset: '-1' }] }]))
      .toEqual([{ topic: 't', partition: 0, offset: 4 }, { topic: 't', partition: 1, offset: -1 }]);
    expect(taskErrorOf({ code: 14, message: 'loading' })).toEqual({ code: 14, message: 'loading' });
    expect(taskErrorOf(new Error('plain'))).toEqual({ code: -1, message: 'plain' });
    expect(taskErrorOf(null)).toBeUndefined();
  });

  test('coordinator loading / moved / unavailable and timeouts are worth one more try; authorization is not', () => {
    for (const code of [14, 15, 16, -185]) expect(isRetriableGroupError({ code, message: '' })).toBe(true);
    expect(isRetriableGroupError({ code: 30, message: 'GROUP_AUTHORIZATION_FAILED' })).toBe(false);
    expect(isRetriableGroupError(undefined)).toBe(false);
  });
});

/** A fake admin: log-end 10 on t[0..1], listing from the test. */
function fakeAdmin(groups: GroupListing): Admin {
  return {
    listGroups: async () => ({ groups: [...groups.groups].map(([groupId, g]) => ({ groupId, protocolType: g.protocolType, state: { Empty: 5, Stable: 3 }[g.state] ?? 0 })), errors: groups.complete ? [] : [new Error('broker 2 down')] }),
    fetchTopicOffsets: async () => [{ partition: 0, high: '10', low: '0' }, { partition: 1, high: '10', low: '0' }],
  } as unknown as Admin;
}

/** Fake group reads: committed offsets from `committed` (or `offsetsFail`), every describe answered by `describe`. */
function fakeReads(committed: Record<string, number[]>, describe: TaskResult, asked: GroupTask[][] = [], offsetsFail?: TaskResult): ReadGroups {
  return async (tasks) => {
    asked.push(tasks);
    return new Map(tasks.map((t): [string, TaskResult] => [taskKey(t), t.kind === 'describe' ? describe
      : offsetsFail ?? { ok: true, offsets: (committed[t.group] ?? []).map((offset, partition) => ({ topic: 't', partition, offset })) }]));
  };
}

/** Every lagging partition's oldest record is a second old. */
const probe: TimestampProbe = async (targets) => ({ timestamps: new Map(targets.map((t) => [`${t.topic}:${t.partition}:${t.offset}`, Date.now() - 1_000])), endsAt: new Map() });

describe('lag when the members cannot be read', () => {
  const crashed: TaskResult = { ok: false, failure: { kind: 'crashed', detail: 'the Kafka client crashed (SIGSEGV)' } };
  const offsets = { g: [4, 10] };

  test('the lag figures are still shown; members are unknown; the verdict follows the limits, not UNKNOWN', async () => {
    const asked: GroupTask[][] = [];
    const [g] = await collectLag({
      admin: fakeAdmin(listing(true, [['g', 'Stable']])), probe, groups: ['g'], timeoutMs: 1_000, readGroups: fakeReads(offsets, crashed, asked),
    });
    expect(asked).toEqual([[{ kind: 'offsets', group: 'g' }, { kind: 'describe', group: 'g' }]]);
    expect(g).toMatchObject({ state: 'Stable', members: null, totalLag: 6 });
    expect(g!.partitions.map((p) => [p.partition, p.committed, p.logEnd, p.lag, p.owner])).toEqual([[0, 4, 10, 6, null], [1, 10, 10, 0, null]]);
    expect(g!.problems).toEqual([{ kind: 'members', detail: expect.stringContaining('SIGSEGV') }]);
    expect(evaluate([g!], { maxLag: 100 }).code).toBe(LagExit.ok);
    expect(evaluate([g!], { maxLag: 5 }).code).toBe(LagExit.critical);
    const text = renderTable([g!], evaluate([g!], {}), { color: false, table: false });
    expect(renderSummary([g!], evaluate([g!], {}), { color: false }).join('\n')).toContain('g  state Stable, members unknown, lag 6');
    expect(text.split('\n')[1]!.split(/\s+/)).toEqual(['g', 't', '0', '4', '10', '6', expect.stringMatching(/^1\.\ds$/), '-', '-', '-']);
    expect(toJson([g!], evaluate([g!], {}), 0)).toMatchObject({ status: 'OK', groups: [{ members: null, lag: 6, problems: [expect.stringContaining('not readable')] }] });
  });

  test('neither members nor committed offsets: what the group consumes is unknown, so UNKNOWN', async () => {
    const [g] = await collectLag({
      admin: fakeAdmin(listing(true, [['g', 'Stable']])), probe, groups: ['g'], timeoutMs: 1_000, readGroups: fakeReads({}, crashed),
    });
    expect(evaluate([g!], { maxLag: 100 }).code).toBe(LagExit.unknown);
    expect(g!.problems.map((p) => p.kind)).toEqual(['members', 'offsets']);
  });

  test('committed offsets not readable (the client crashed on them twice): UNKNOWN, never a lag of 0', async () => {
    const ok: TaskResult = { ok: true, description: { group: 'g', state: 'Stable', members: [] } };
    const [g] = await collectLag({
      admin: fakeAdmin(listing(true, [['g', 'Stable']])), probe, groups: ['g'], timeoutMs: 1_000, readGroups: fakeReads({}, ok, [], crashed),
    });
    expect(g).toMatchObject({ members: 0, partitions: [] });
    expect(g!.problems).toEqual([{ kind: 'offsets', detail: 'committed offsets of g: the Kafka client crashed (SIGSEGV)' }]);
    expect(evaluate([g!], { maxLag: 100 }).code).toBe(LagExit.unknown);
  });

  test('an Empty group needs no describe; reads that throw leave everything unknown, not the command failed', async () => {
    const asked: GroupTask[][] = [];
    const [idle] = await collectLag({
      admin: fakeAdmin(listing(true, [['g', 'Empty']])), probe, groups: ['g'], timeoutMs: 1_000, readGroups: fakeReads(offsets, crashed, asked),
    });
    expect(asked).toEqual([[{ kind: 'offsets', group: 'g' }]]);
    expect(idle).toMatchObject({ state: 'Empty', members: 0, totalLag: 6, problems: [] });
    const [busy] = await collectLag({
      admin: fakeAdmin(listing(false, [])), probe, groups: ['g'], timeoutMs: 1_000, readGroups: async () => { throw new Error('spawn ENOENT'); },
    });
    expect(busy).toMatchObject({ state: 'Unknown', members: null, partitions: [] });
    expect(evaluate([busy!], {}).code).toBe(LagExit.unknown);
  });

  test('watch status: a stuck partition whose owner is unknown is STUCK, not STALL or STOP', () => {
    const w = [{ at: 0, committed: 5, logEnd: 100 }, { at: 10_000, committed: 5, logEnd: 100 }];
    expect(partitionStatus(w, null)).toBe('STUCK');
    expect(partitionStatus(w, true)).toBe('STALL');
    expect(partitionStatus(w, false)).toBe('STOP');
  });
});
