/**
 * The demo's pieces on a small pipeline (the full demo starts a broker of its own and takes about a minute, so it
 * is `npm run demo`, not part of the suite): the bundled shop site in its own process, the CLI for topics /
 * produce / work / dlq retry, then the demo's topic reader and summary must say where each URL ended: the
 * outcome the site's table predicts, nothing lost or unfinished. Needs dist/ (the site server and bin/kscrape).
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../helpers/cli.js';
import { testBrokers, testRedisUrl, uniqueName } from '../../helpers/env.js';
import { createLogger } from '../../../src/log.js';
import { freePort } from '../../../scripts/stack/ports.js';
import { summarizePipeline } from '../../../scripts/demo/outcomes.js';
import { SITE_CIDR, SITE_HOSTS, expectedOutcomes } from '../../../scripts/demo/shop-site.js';
import { startSiteProcess, type SiteProcess } from '../../../scripts/demo/site-process.js';
import { readTopics } from '../../../scripts/demo/topic-reader.js';

const SERVER = fileURLToPath(new URL('../../../dist/scripts/demo/site-server.js', import.meta.url));
let site: SiteProcess;

async function* ports() { for (;;) yield await freePort(); }

beforeAll(async () => {
  site = await startSiteProcess(ports(), { serverPath: SERVER });
});

afterAll(async () => {
  await site?.close();
});

test('a page, a 404, robots, a redirect, an image, a flaky and a dead URL end where the demo says, none lost', async () => {
  const port = site.port;
  const paths = ['shop.test/product/1', 'shop.test/product/7', 'shop.test/account/orders', 'shop.test/sale', 'cdn.test/img/logo.png',
    'blog.test/posts/launch', 'shop.test/api/stock'];
  const urls = paths.map((p) => `http://${p.replace('/', `:${port}/`)}`);
  const expected = expectedOutcomes(port);
  const prefix = `${uniqueName('demo')}.`;
  const env = { KSCRAPE_BROKERS: testBrokers(), KSCRAPE_REDIS_URL: testRedisUrl(), KSCRAPE_TOPIC_PREFIX: prefix };
  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { env, timeoutMs: 90_000, ...(input === undefined ? {} : { input }) });
    if (r.code !== 0) process.stderr.write(`[demo-summary] ${args.join(' ')}: exit ${r.code}\n${r.stderr}\n`);
    expect([args[0], r.code]).toEqual([args[0], 0]);
    return r;
  };
  const group = uniqueName('demo');
  const work = (n: number) => cli(['work', '--group', group, '--max-messages', String(n), '--host-delay', '50ms', '--commit-interval', '500ms',
    ...SITE_HOSTS.flatMap((h) => ['--resolve', `${h.name}:${port}:${h.address}`]), '--allow-cidr', SITE_CIDR]);
  const retry = ['dlq', 'retry', '--once', '--cooldown', '0s', '--max-attempts', '2'];

  await cli(['topics', 'create', '--replication-factor', '1', '--partitions', 'urls=1']);
  await cli(['produce', '-'], `${urls.join('\n')}\n`);
  await work(urls.length);
  expect((await cli(retry)).stdout).toMatch(/re-emitted 2, parked 0/);
  await work(2);
  expect((await cli(retry)).stdout).toMatch(/re-emitted 0, parked 1/);

  const names = ['urls', 'pages', 'errors', 'dlq', 'dlq.parked'].map((t) => `${prefix}${t}`);
  const values = await readTopics(names, { config: { 'bootstrap.servers': testBrokers() }, logger: createLogger({ level: 'quiet' }) });
  const [u, pages, errors, dlq, parked] = names.map((t) => values.get(t)!);
  expect([u!.length, pages!.length, errors!.length, dlq!.length, parked!.length]).toEqual([9, 3, 3, 3, 1]);
  const summary = summarizePipeline(urls, { urls: u!, pages: pages!, errors: errors!, dlq: dlq!, parked: parked! });
  expect(Object.fromEntries(summary.fates)).toEqual(Object.fromEntries(urls.map((url) => [url, expected.get(url)])));
  expect(summary.counts).toEqual({ pages: 3, errors: { 'http-status': 1, robots: 1, 'unsupported-content': 1 }, dlq: 0, parked: 1 });
  expect([summary.lost, summary.unfinished, summary.unreadable]).toEqual([[], [], 0]);

  // Without the parked topic the dead URL is still waiting in the dlq; without pages, the two fetched at once are lost.
  expect(summarizePipeline(urls, { urls: u!, pages: pages!, errors: errors!, dlq: dlq!, parked: [] }).fates.get(urls[6]!)).toBe('dlq');
  expect(summarizePipeline(urls, { urls: u!, pages: [], errors: errors!, dlq: dlq!, parked: parked! }).lost).toHaveLength(2);
});
