/** `kscrape dlq stats` on the real broker: counts, due now, and no group state left behind. */
import { describe, expect, test } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { produceRaw, withAdmin } from '../../helpers/kafka.js';

const HOUR = 3_600_000;

describe('kscrape dlq stats on the real broker', () => {
  test('counts by error, status and host, ages, due now; reads without committing', async () => {
    const prefix = `${uniqueName('dlqs')}.`;
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic: `${prefix}dlq`, numPartitions: 3, replicationFactor: 1 }] }));
    const now = Date.now();
    const rec = (host: string, error: string, status: number | null, ageMs: number, attempts: number) => ({
      value: JSON.stringify({ original: { url: `https://${host}/`, host, customer_id: 'c', priority: 0, discovered_at: now, attempt: attempts - 1 }, error, status, failed_at: now - ageMs, attempts, worker: 'w' }),
    });
    await produceRaw(`${prefix}dlq`, [
      rec('a.example', 'HTTP 503', 503, 2 * HOUR, 1),
      rec('a.example', 'HTTP 503', 503, 5 * 60_000, 1),
      rec('b.example', 'ETIMEDOUT', null, 30 * HOUR, 5),
      { value: 'garbage' },
    ].map((m, i) => ({ ...m, partition: i % 3 })));

    const r = await runCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'stats', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      complete: true, total: 4, due_now: 1, to_park: 1, malformed: 1,
      by_error: { 'HTTP 503': 2, ETIMEDOUT: 1 }, by_status: { 503: 2, none: 1 }, by_host: { 'a.example': 2, 'b.example': 1 },
      age_histogram: { '<10m': 1, '1-6h': 1, '1-7d': 1 },
    });

    const text = await runCli(['--brokers', testBrokers(), '--topic-prefix', prefix, 'dlq', 'stats']);
    // Piped (issue #18, 7): the summary on stderr, stdout only section<TAB>key<TAB>count lines.
    expect(text.stderr).toContain('4 records, 1 due for retry now');
    expect(text.stdout.split('\n')).toEqual(expect.arrayContaining(['host\ta.example\t2', 'error\tHTTP 503\t2', 'age\t1-7d\t1']));
    for (const line of text.stdout.trimEnd().split('\n')) expect(line).toMatch(/^[a-z]+\t[^\t]+\t\d+$/);

    const offsets = await withAdmin((admin) => admin.fetchOffsets({ groupId: 'kscrape-assigned-reader', topics: [`${prefix}dlq`] }));
    expect((offsets[0]?.partitions ?? []).every((p) => Number(p.offset) < 0)).toBe(true);
  });
});
