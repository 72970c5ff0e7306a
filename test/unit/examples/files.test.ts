/**
 * The files in examples/ name metrics, reject reasons and settings that live in the code: these tests fail
 * when the two drift apart (a renamed metric, a sample line that no longer fails the way its comment says).
 */
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkerMetrics } from '../../../src/worker/metrics.js';
import { WorkerStats } from '../../../src/worker/stats.js';
import { parseInputLine, type InputFormat } from '../../../src/produce/input-line.js';

const read = (name: string) => readFileSync(new URL(`../../../examples/${name}`, import.meta.url), 'utf8');

async function workerMetricNames(): Promise<Set<string>> {
  const metrics = new WorkerMetrics({
    stats: new WorkerStats(),
    gauges: () => ({ inFlight: 0, queued: 0, hosts: 0, pausedPartitions: 0, assigned: 0 }),
    limiter: () => ({ mode: 'redis', waits: 0, redisErrors: 0, fallbackActivations: 0 }) as never,
  });
  const names = new Set<string>();
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    names.add(m.name);
    if (String(m.type) === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(`${m.name}${s}`);
  }
  return names;
}

describe('examples/grafana-dashboard.json', () => {
  const dashboard = JSON.parse(read('grafana-dashboard.json')) as { panels: { title: string; targets?: { expr: string }[] }[] };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

  test('every kscrape_* metric it queries is exported by the worker or written by examples/lag-textfile.sh', async () => {
    const exported = await workerMetricNames();
    const textfile = read('lag-textfile.sh');
    const unknown: string[] = [];
    for (const { panel, expr } of exprs) {
      for (const name of expr.match(/\bkscrape_[a-z_]+/g) ?? []) {
        if (!exported.has(name) && !new RegExp(`\\b${name}\\{`).test(textfile)) unknown.push(`${panel}: ${name}`);
      }
    }
    expect(unknown).toEqual([]);
  });

  test('has the panels the issue asks for', () => {
    const titles = dashboard.panels.map((p) => p.title.toLowerCase()).join('|');
    for (const word of ['throughput', 'outcomes', 'latency', 'lag', 'dlq']) expect(titles).toContain(word);
    expect(exprs.some((e) => /kscrape_fetch_duration_seconds_bucket/.test(e.expr))).toBe(true);
  });
});

describe('examples/lag-textfile.sh', () => {
  test('writes its .prom file readable by others (0644), for a node_exporter running as another user (issue #18, 10)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kscrape-textfile-'));
    try {
      // A stand-in kscrape on PATH: one lag report, exit 0.
      const bin = join(dir, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'kscrape'), `#!/bin/sh\necho '{"groups":[{"group":"g","max_lag_ms":1500,"topics":[{"topic":"urls","lag":7}]}]}'\n`, { mode: 0o755 });
      const script = fileURLToPath(new URL('../../../examples/lag-textfile.sh', import.meta.url));
      execFileSync('sh', [script, 'g'], { env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, TEXTFILE_DIR: dir } });
      const prom = join(dir, 'kscrape-lag-g.prom');
      expect(readFileSync(prom, 'utf8')).toContain('kscrape_consumergroup_lag{group="g",topic="urls"} 7');
      expect(statSync(prom).mode & 0o777).toBe(0o644);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('examples/kscrape-work.service', () => {
  const unit = read('kscrape-work.service');
  const setting = (key: string) => unit.match(new RegExp(`^${key}=(.*)$`, 'm'))?.[1];

  test('restarts on failure, stops with SIGTERM and waits longer than the worker shutdown timeout (30 s)', () => {
    expect(setting('Restart')).toBe('on-failure');
    expect(setting('KillSignal')).toBe('SIGTERM');
    expect(Number(setting('TimeoutStopSec'))).toBeGreaterThan(30);
  });

  test('takes its KSCRAPE_* settings from an EnvironmentFile and has no secret inline', () => {
    expect(setting('EnvironmentFile')).toMatch(/^\/etc\/kscrape\//);
    expect(unit).not.toMatch(/^Environment=/m);
    expect(unit).not.toMatch(/password|sasl\.|redis:\/\/[^ ]*@/i);
    for (const variable of unit.match(/\$\{(\w+)\}/g) ?? []) expect(read('kscrape.env')).toMatch(new RegExp(`^${variable.slice(2, -1)}=`, 'm'));
  });
});

describe('sample URL lists', () => {
  const defaults = { customerId: 'default', priority: 0, maxUrlLength: 4096 };
  // Hosts reserved for examples (RFC 2606 / RFC 6761): nothing in the samples can reach a real site.
  const reserved = /(^|\.)(example|example\.com|example\.org|example\.net|test|invalid|localhost)$/;

  /** Each bad line is announced by a comment holding only its reason; every other line must be accepted. */
  function check(file: string, format: InputFormat): { accepted: number; rejected: number } {
    let expected: string | undefined;
    let accepted = 0;
    let rejected = 0;
    for (const line of read(file).split('\n')) {
      const reason = line.match(/^# ([a-z-]+)(?: \(.*\))?$/)?.[1];
      if (reason) { expected = reason; continue; }
      const parsed = parseInputLine(line, format, defaults, 0);
      if (parsed.kind === 'skip') continue;
      if (expected) {
        expect({ line, result: parsed.kind === 'reject' ? parsed.reason : 'accepted' }).toEqual({ line, result: expected });
        rejected += 1;
      } else {
        expect({ line, result: parsed.kind === 'reject' ? `${parsed.reason}: ${parsed.detail}` : 'accepted' }).toEqual({ line, result: 'accepted' });
        if (parsed.kind === 'envelope') expect(parsed.envelope.host.replace(/:\d+$/, '')).toMatch(reserved);
        accepted += 1;
      }
      expected = undefined;
    }
    return { accepted, rejected };
  }

  test('urls.txt: good lines accepted on reserved hosts, each bad line rejected for the reason its comment gives', () => {
    expect(check('urls.txt', 'auto')).toEqual({ accepted: 11, rejected: 5 });
  });

  test('urls.jsonl: the same with --format jsonl', () => {
    expect(check('urls.jsonl', 'jsonl')).toEqual({ accepted: 5, rejected: 6 });
  });
});

describe('examples/kscrape-dlq-retry.cron', () => {
  test('one cron.d line running dlq retry --once as the kscrape user', () => {
    const lines = read('kscrape-dlq-retry.cron').split('\n').filter((l) => /^[\d*]/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^(\S+\s+){5}kscrape\s+.*\bkscrape dlq retry --once\b/);
  });
});
