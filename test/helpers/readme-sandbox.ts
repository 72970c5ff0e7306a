/**
 * Where the README's examples run: a temp folder (the examples' cwd and HOME) holding the input files they name,
 * three loopback sites standing in for the shop the examples scrape, and the environment a user has after
 * `eval "$(npm run -s stack -- env)"` (the test broker and Redis) plus a topic prefix of its own.
 *
 * The examples are run as written except for these mechanical rewrites (`rewrite`), each of a placeholder:
 *   127.0.0.1:9092, kafka-1:9092         -> the test broker
 *   redis://127.0.0.1:6379               -> the test Redis
 *   --topic-prefix X                     -> --topic-prefix <this run's prefix>X (a cluster shared with other tests)
 *   kscrape sitemap https://example.com  -> kscrape sitemap http://shop.test:<port> (its sitemap lists the shop's URLs)
 *   https://example.com                  -> the shop site's loopback origin
 *   http://shop.test/                    -> http://shop.test:<the shop's port>/
 *   shop.test:80:                        -> shop.test:<the shop's port>: (the sites listen on free ports)
 *   --metrics-port 9464                  -> a free port
 *   --idle-exit 30s                      -> --idle-exit 2s (the suite has no 30 s to wait)
 *   /tmp/lag.json, "${fpath[1]}"          -> files in the temp folder
 *   postgres://postgres@127.0.0.1:5432/crawl -> a database of this run's own on KSCRAPE_TEST_PG_DSN's server
 *   kscrape ... work, kscrape sitemap    -> also --resolve for the site names the line does not pin, and
 *                                           --allow-cidr 127.0.1.0/24: every name a worker meets is loopback
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../scripts/stack/ports.js';
import { buildUrlEnvelope } from '../../src/records/url-envelope.js';
import { Redis } from 'ioredis';
import { cliEnv } from './cli.js';
import { withAdmin } from './kafka.js';
import { testBrokers, testRedisUrl, uniqueName } from './env.js';
import { routes, startTarget, type Target } from './http-targets.js';
import { createTestDatabase } from './postgres.js';

const BIN_DIR = fileURLToPath(new URL('../../bin', import.meta.url));
const SITE_ADDRESSES = { 'shop.test': '127.0.1.5', 'blog.test': '127.0.1.6', 'cdn.test': '127.0.1.7' } as const;
type SiteName = keyof typeof SITE_ADDRESSES;

export interface Sandbox {
  dir: string;
  prefix: string;
  metricsPort: number;
  /** `http://shop.test:<port>` etc.: the origins as the URLs in the inputs name them. */
  origin: Record<SiteName, string>;
  rewrite(text: string): string;
  close(): Promise<void>;
}

export interface RunResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; ms: number; probe?: unknown }

export async function openSandbox(): Promise<Sandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-readme-'));
  const prefix = `${uniqueName('readme')}.`;
  const metricsPort = await freePort();
  const sites: Target[] = [];
  const origin = {} as Record<SiteName, string>;
  const port = {} as Record<SiteName, string>;
  for (const [name, address] of Object.entries(SITE_ADDRESSES) as [SiteName, string][]) {
    const site = await startTarget(address, {
      '/sitemap.xml': (_req, res) => { res.setHeader('content-type', 'application/xml'); res.end(sitemap(origin)); },
      '/missing': routes.status(404),
      '/busy': routes.status(503, { 'retry-after': '300' }),
      '/robots.txt': routes.status(404),
      '*': routes.html(),
    });
    sites.push(site);
    port[name] = site.origin.split(':').pop()!;
    origin[name] = `http://${name}:${port[name]}`;
  }
  writeInputs(dir, origin);
  const database = await createTestDatabase('sink_readme');
  const resolves = Object.entries(SITE_ADDRESSES).map(([name, address]) => ({ name, flag: `--resolve ${name}:${port[name as SiteName]}:${address}` }));
  const rewrites: [RegExp, string | ((...m: string[]) => string)][] = [
    [/\b(127\.0\.0\.1:9092|kafka-1:9092)\b/g, testBrokers()],
    [/redis:\/\/127\.0\.0\.1:6379/g, testRedisUrl()],
    [/--topic-prefix (\S+)/g, (_m, p) => `--topic-prefix ${prefix}${p}`],
    // `kscrape sitemap` reads the shop by name, so the URLs its sitemap lists are on the sitemap's own host.
    [/(\bkscrape sitemap )https:\/\/example\.com/g, (_m, head: string) => `${head}${origin['shop.test']}`],
    [/http:\/\/shop\.test\//g, `${origin['shop.test']}/`],
    [/https:\/\/example\.com/g, `http://${SITE_ADDRESSES['shop.test']}:${port['shop.test']}`],
    [/shop\.test:80:/g, `shop.test:${port['shop.test']}:`],
    [/--metrics-port 9464/g, `--metrics-port ${metricsPort}`],
    [/--idle-exit 30s/g, '--idle-exit 2s'],
    [/\/tmp\/lag\.json/g, `${dir}/lag.json`],
    [/postgres:\/\/postgres@127\.0\.0\.1:5432\/crawl/g, database.dsn],
    [/"\$\{fpath\[1\]\}/g, `"${dir}/zfunc`],
    [/(\bkscrape\b[^|;&\n]*?\s(?:work|sitemap)\b)([^|;&\n]*)/g, (_m, head: string, rest: string) => {
      const pins = resolves.filter((r) => !rest.includes(`--resolve ${r.name}:`)).map((r) => r.flag);
      return `${head} ${[...pins, ...(rest.includes('--allow-cidr') ? [] : ['--allow-cidr 127.0.1.0/24'])].join(' ')}${rest}`;
    }],
  ];
  return {
    dir,
    prefix,
    metricsPort,
    origin,
    rewrite: (text) => rewrites.reduce((t, [re, to]) => t.replace(re, to as string), text),
    close: async () => {
      await Promise.all(sites.map((s) => s.close()));
      rmSync(dir, { recursive: true, force: true });
      await database.drop().catch((err: Error) => console.warn(`readme examples: database ${database.name} left behind: ${err.message}`));
      await removeLeftovers(prefix);
    },
  };
}

/** Topics and Redis keys under the run's prefix. Best effort: the prefix is unique, leftovers bother nobody. */
async function removeLeftovers(prefix: string): Promise<void> {
  await withAdmin(async (admin) => {
    const mine = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (mine.length) await admin.deleteTopics({ topics: mine, timeout: 10_000 });
  }).catch((err: Error) => console.warn(`readme examples: topics under ${prefix} left behind: ${err.message}`));
  const redis = new Redis(testRedisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  try {
    for await (const keys of redis.scanStream({ match: `${prefix}*`, count: 500 })) if ((keys as string[]).length) await redis.del(...(keys as string[]));
  } catch (err) {
    console.warn(`readme examples: Redis keys under ${prefix} left to expire: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}

function fallbackEnvelope(url: string): unknown {
  const built = buildUrlEnvelope({ url, customerId: 'default', priority: 0, discoveredAt: Date.parse('2026-11-25T10:15:00Z'), attempt: 0 }, 4096);
  if (!built.ok) throw new Error(`${url}: ${built.detail}`);
  return built.envelope;
}

function sitemap(origin: Record<SiteName, string>): string {
  // The shop's own URLs only: a URL on another host than its sitemap is skipped (the protocol's rule).
  const locs = [`${origin['shop.test']}/p/3`, `${origin['shop.test']}/p/8`].map((u) => `<url><loc>${u}</loc></url>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n${locs.join('\n')}\n</urlset>\n`;
}

/** The files the examples name, small: every URL is on one of the three loopback sites. */
function writeInputs(dir: string, origin: Record<SiteName, string>): void {
  const shop = origin['shop.test'];
  const blog = origin['blog.test'];
  const files: Record<string, string | Buffer> = {
    'urls.txt': `${shop}/p/1\n${blog}/post/1\nnot a url\njavascript:alert(1)\n`,
    'seeds.txt': `${shop}/p/2\n`,
    'more.txt': `${blog}/missing\nftp://${'blog.test'}/file\n`,
    'tasks.jsonl': `${JSON.stringify({ url: `${origin['cdn.test']}/busy`, customer_id: 'acme', priority: 3 })}\n`,
    // a fallback file holds the envelopes as produce sent them
    'urls.txt.fallback-20261125T101500Z-4242.jsonl': `${JSON.stringify(fallbackEnvelope(`${shop}/p/4`))}\n`,
    'urls-1.txt.gz': gzipSync(`${shop}/p/1\n${shop}/p/2\n${blog}/post/1\n`),
    'politeness.txt': '# host rate\nshop.test 5/s\n',
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  for (const sub of ['home/.local/share/bash-completion/completions', 'home/.config/fish/completions', 'zfunc']) mkdirSync(join(dir, sub), { recursive: true });
}

/**
 * Runs one example with bash (pipefail, so kscrape's own exit status is not hidden behind `| jq`). With
 * `stopAfterMs` it is a command that runs until stopped: after that long `probe` runs, then the process group
 * gets SIGINT, as Ctrl-C sends it. Every run is bounded: SIGKILL after `limitMs`.
 */
export function runExample(sb: Sandbox, script: string, opts: { stopAfterMs?: number; probe?: () => Promise<unknown>; limitMs?: number } = {}): Promise<RunResult> {
  const started = Date.now();
  const env = cliEnv({ KSCRAPE_BROKERS: testBrokers(), KSCRAPE_REDIS_URL: testRedisUrl(), KSCRAPE_TOPIC_PREFIX: sb.prefix, HOME: join(sb.dir, 'home'), PATH: `${BIN_DIR}:${process.env.PATH ?? ''}` });
  const child = spawn('bash', ['-o', 'pipefail', '-c', script], { cwd: sb.dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const signal = (sig: NodeJS.Signals) => { try { process.kill(-child.pid!, sig); } catch { /* already gone */ } };
  let probe: unknown;
  const stopper = opts.stopAfterMs === undefined ? undefined : setTimeout(() => {
    void (opts.probe ?? (async () => undefined))().catch((err: Error) => `probe failed: ${err.message}`).then((p) => { probe = p; signal('SIGINT'); });
  }, opts.stopAfterMs);
  const killer = setTimeout(() => signal('SIGKILL'), opts.limitMs ?? 40_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(killer);
      if (stopper) clearTimeout(stopper);
      resolve({ code, signal: sig, stdout, stderr, ms: Date.now() - started, probe });
    });
  });
}
