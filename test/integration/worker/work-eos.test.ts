/**
 * `kscrape work --eos`: a worker killed with SIGKILL mid-run and restarted under the same --worker-id leaves
 * exactly one result per URL for read_committed readers (the fetches themselves may repeat).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, uniqueName } from '../../helpers/env.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';
import { startTargetProcess, type TargetProcess } from '../../helpers/http-targets.js';

let site: TargetProcess;

beforeAll(async () => {
  site = await startTargetProcess(['127.0.3.1', '127.0.3.2', '127.0.3.3'], { '/slow': { delayMs: 150 }, '/missing': { status: 404 } });
});

afterAll(async () => {
  await site.close();
});

/** Everything a reader with this isolation level sees within the window (more than `atLeast` if there are duplicates). */
const readVisible = (topic: string, atLeast: number, isolation: 'read_committed' | 'read_uncommitted') =>
  readBack(topic, atLeast + 1_000, 8_000, { 'isolation.level': isolation });

describe('kscrape work --eos', () => {
  test('kill -9 mid-run and restart: read_committed sees every URL exactly once', async () => {
    const prefix = `${uniqueName('eos')}.`;
    const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_TOPIC_PREFIX: prefix };
    expect((await runCli(['topics', 'create', '--replication-factor', '1', '--partitions', 'urls=3'], { env, timeoutMs: 60_000 })).code).toBe(0);
    const urls = site.origins.flatMap((o) => [...Array.from({ length: 14 }, (_, i) => `${o}/slow?n=${i}`), `${o}/missing`]);
    expect((await runCli(['produce'], { env, input: urls.join('\n'), timeoutMs: 60_000 })).code).toBe(0);

    const group = uniqueName('g');
    const args = ['work', '--eos', '--worker-id', 'eos-1', '--group', group, '--allow-cidr', '127.0.3.0/24', '--host-delay', '100ms',
      '--txn-max-messages', '5', '--txn-max-ms', '300ms', '--ignore-robots',
      // The killed worker stays a member until its session times out; keep that short (the broker's minimum).
      '-X', 'session.timeout.ms=6000'];
    const bin = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));
    const first = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
    // Let it commit some transactions, then kill it without warning.
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && Object.values(await site.arrivals()).flat().length < 18) await new Promise((r) => setTimeout(r, 100));
    first.kill('SIGKILL');
    await new Promise((r) => first.on('close', r));

    const second = await runCli([...args, '--idle-exit', '3s', '--json'], { env, timeoutMs: 120_000 });
    expect([second.code, second.stderr.split('\n').filter((l) => l.startsWith('kscrape: ') && !l.includes('warning'))]).toEqual([0, []]);

    const fetched = Object.values(await site.arrivals()).flat().length;
    const pages = await readVisible(`${prefix}pages`, 42, 'read_committed');
    const errors = await readVisible(`${prefix}errors`, 3, 'read_committed');
    const metrics = await readVisible(`${prefix}metrics`, urls.length, 'read_committed');
    const pageUrls = pages.map((m) => JSON.parse(m.value!).url as string);
    expect(new Set(pageUrls).size).toBe(42);
    expect(pageUrls.length).toBe(42);
    expect(errors.map((m) => JSON.parse(m.value!).url).sort()).toEqual(urls.filter((u) => u.endsWith('/missing')).sort());
    expect(metrics).toHaveLength(urls.length);
    process.stderr.write(`[eos] ${urls.length} URLs, ${fetched} fetches (repeats after the kill are expected), 0 duplicates for read_committed\n`);

    const [committed] = await withAdmin((admin) => admin.fetchOffsets({ groupId: group, topics: [`${prefix}urls`] }));
    expect(committed!.partitions.reduce((n, p) => n + Number(p.offset), 0)).toBe(urls.length);
  }, 150_000);

  test('--eos without --worker-id is refused with one line', async () => {
    const r = await runCli(['work', '--eos'], { env: { KSCRAPE_BROKERS: testBrokers() } });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--eos needs --worker-id/);
  });
});
