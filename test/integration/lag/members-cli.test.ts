/**
 * `kscrape lag` on a group with a live member, against the real broker: members come from the describe child;
 * when that child dies by a signal (forced with the test hook KSCRAPE_TEST_CRASH_DESCRIBE=1, which makes it
 * SIGSEGV as the client does on some group errors), lag still prints the offsets, shows members as '-', and exits
 * by its limits (members are not part of any verdict) or 3 when nothing but the members could tell what the
 * group consumes.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createConsumer, type Consumer } from '../../../src/kafka/clients.js';
import { createLogger } from '../../../src/log.js';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { createTestTopic, produceRaw, withAdmin } from '../../helpers/kafka.js';

const quiet = createLogger({ level: 'quiet' });
const CRASH = { KSCRAPE_TEST_CRASH_DESCRIBE: '1' };

interface Report {
  exit_code: number;
  groups: { group: string; state: string; members: number | null; lag: number; problems: string[]; partitions: { partition: number; current_offset: number | null; log_end_offset: number | null; lag: number | null; consumer_id: string | null }[] }[];
}

/** Waits until the listing says the group is Stable (ListGroups: safe to call in this process, unlike a describe). */
async function waitStable(group: string): Promise<void> {
  const until = Date.now() + 30_000;
  while (Date.now() < until) {
    const { groups } = await withAdmin((a) => a.listGroups());
    if (groups.find((g) => g.groupId === group)?.state === 3) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`group ${group} did not become Stable`);
}

/** A live member of `group` on `topic` that reads everything and commits offset `commitAt` on partition 0 only. */
async function liveMember(topic: string, group: string, commitAt: number | undefined): Promise<Consumer> {
  const c = createConsumer({ config: { 'bootstrap.servers': testBrokers() }, logger: quiet }, { 'group.id': group, 'enable.auto.commit': false, 'auto.offset.reset': 'earliest' });
  await c.connect();
  await c.subscribe({ topics: [topic] });
  let committed = commitAt === undefined;
  const done = new Promise<void>((resolve) => {
    if (committed) resolve();
    void c.run({
      eachMessage: async ({ partition }) => {
        if (committed || partition !== 0) return;
        committed = true;
        await c.commitOffsets([{ topic, partition: 0, offset: String(commitAt) }]);
        resolve();
      },
    });
  });
  await done;
  await waitStable(group);
  return c;
}

describe('kscrape lag: member information from a separate process', () => {
  let topic: string;
  let group: string;
  let bare: string;
  const members: Consumer[] = [];

  beforeAll(async () => {
    topic = await createTestTopic('lag-members', 2);
    await produceRaw(topic, Array.from({ length: 10 }, (_, i) => ({ partition: i % 2, value: `r${i}` })));
    group = uniqueName('lag-members');
    bare = uniqueName('lag-members-bare');
    // `group`: committed 2 of 5 on partition 0 (lag 3), nothing committed on 1. `bare`: a member, no commits.
    members.push(await liveMember(topic, group, 2), await liveMember(topic, bare, undefined));
  });

  afterAll(async () => {
    await Promise.all(members.map((c) => c.disconnect().catch(() => undefined)));
  });

  const lag = (g: string, ...flags: string[]) => ['--brokers', testBrokers(), 'lag', '--group', g, '--no-time', ...flags];

  test('a live member is read through the describe process: its id owns the partitions', async () => {
    const r = await runCli(lag(group, '--json'));
    expect(r.code).toBe(0);
    const g = (JSON.parse(r.stdout) as Report).groups[0]!;
    expect(g).toMatchObject({ state: 'Stable', members: 1, lag: 3 });
    expect(g.problems.join('\n')).not.toContain('members of');
    expect(g.partitions.map((p) => [p.partition, p.current_offset, p.log_end_offset, p.lag])).toEqual([[0, 2, 5, 3], [1, null, 5, null]]);
    expect(g.partitions.every((p) => typeof p.consumer_id === 'string' && p.consumer_id.length > 0)).toBe(true);
  });

  test('the describe process dies by SIGSEGV: offsets still shown, members unknown, exit by the limits', async () => {
    const ok = await runCli(lag(group, '--json', '--max-lag', '100'), { env: CRASH });
    expect({ code: ok.code, signal: ok.signal }).toEqual({ code: 0, signal: null });
    const g = (JSON.parse(ok.stdout) as Report).groups[0]!;
    expect(g).toMatchObject({ group, state: 'Stable', members: null, lag: 3 });
    expect(g.partitions.map((p) => [p.partition, p.current_offset, p.log_end_offset, p.lag, p.consumer_id])).toEqual([[0, 2, 5, 3, null]]);
    expect(g.problems.join('\n')).toContain('SIGSEGV');
    expect((await runCli(lag(group, '--max-lag', '2'), { env: CRASH })).code).toBe(2);
  });

  test('human output: members shown as "-", a warning on stderr, no stack trace', async () => {
    const r = await runCli(lag(group), { env: CRASH });
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').map((l) => l.trim().split(/\s+/));
    expect(rows[1]).toEqual([group, topic, '0', '2', '5', '3', '-', '-', '-', '-']);
    // Off a terminal the summary goes to stderr (issue #18, 7).
    expect(r.stderr).toContain(`${group}  state Stable, members unknown, lag 3`);
    expect(r.stderr).toContain(`warning: members of ${group} not readable`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('no committed offsets and the members not readable: UNKNOWN (3), whatever the limits', async () => {
    const r = await runCli(lag(bare, '--max-lag', '100'), { env: CRASH });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('what it consumes is unknown');
    expect((await runCli(lag(bare, '--max-lag', '100'))).code).toBe(0);
  });
});
