/**
 * Every example in README.md must run as shown. Convention for fenced blocks:
 *   ```sh               commands to type: the block must be valid bash (`bash -n`), every `kscrape ...`
 *                       invocation in it (also inside pipelines, $(...), cron lines) must be accepted by the
 *                       real command tree, `npm run X` must name a package.json script and `bash scripts/X`
 *                       an existing file;
 *   ```sh-illustrative  a sketch with placeholders the reader fills in: not checked;
 *   ```text             program output: not checked.
 * The dry parse is commander's own parse of the real tree with the actions replaced by a recorder: unknown
 * flags, bad choices, missing or extra arguments and the flags' own parsers fail it exactly as at a terminal,
 * and it proves the words reached a command (not just --help). Values checked inside the actions (durations,
 * rates) are not covered by it: that is what running them is for.
 *
 * Then every command example of the sh blocks runs for real (test/helpers/readme-sandbox.ts: the test broker and
 * Redis, loopback sites, a topic prefix per run, the placeholder rewrites listed there) and its exit code and key
 * output are checked (test/helpers/readme-runs.ts), unless the README marks it as not runnable here with the
 * reason (test/helpers/readme-blocks.ts). Every example is listed with its category; one neither run nor marked
 * fails.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProgram, stubActions } from '../helpers/program.js';
import { commandLines, commandsOfLine, kscrapeInvocations } from '../helpers/shell-words.js';
import { examplesOf, fencedBlocks } from '../helpers/readme-blocks.js';
import { RUN_SPECS, specFor, type RunSpec } from '../helpers/readme-runs.js';
import { openSandbox, runExample, type RunResult, type Sandbox } from '../helpers/readme-sandbox.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const CHECKED = 'sh';
const KNOWN_KINDS = new Set(['sh', 'sh-illustrative', 'text', 'properties', 'json', 'yaml', 'ini', 'sql', 'js']);

const blocks = fencedBlocks(readme);
const shBlocks = blocks.filter((b) => b.kind === CHECKED);
const invocations = shBlocks.flatMap((b) => commandLines(b.body).flatMap((line) => kscrapeInvocations(line).map((args) => ({ at: `README.md:${b.line}`, line, args }))));

/** Parses one invocation against a fresh copy of the real tree; returns the command that would run, or the error. */
async function dryParse(args: string[]): Promise<{ ran: string[]; error?: string }> {
  const loaded = await loadProgram();
  const record = stubActions(loaded.program);
  try {
    await loaded.program.parseAsync(args, { from: 'user' });
    return { ran: record.ran };
  } catch (err) {
    return { ran: record.ran, error: `${(err as Error).message} ${loaded.take()}`.trim() };
  }
}

let parsed: { at: string; line: string; ran: string[]; error?: string }[] = [];
beforeAll(async () => {
  parsed = [];
  for (const inv of invocations) parsed.push({ at: inv.at, line: inv.line, ...(await dryParse(inv.args)) });
});

describe('README.md examples', () => {
  test('every fenced block says what it is (sh, sh-illustrative, text, ...)', () => {
    expect(blocks.filter((b) => !KNOWN_KINDS.has(b.kind)).map((b) => `README.md:${b.line} \`\`\`${b.kind}`)).toEqual([]);
    expect(shBlocks.length).toBeGreaterThan(10);
    expect(invocations.length).toBeGreaterThan(30);
  });

  test('every sh block is valid bash', () => {
    const bad = shBlocks.flatMap((b) => {
      const r = spawnSync('bash', ['-n'], { input: b.body, encoding: 'utf8' });
      return r.status === 0 ? [] : [`README.md:${b.line}: ${r.stderr.trim()}`];
    });
    expect(bad).toEqual([]);
  });

  test('every kscrape invocation is accepted by the real command tree and reaches a command', () => {
    const bad = parsed.filter((p) => p.error !== undefined || p.ran.length !== 1).map((p) => `${p.at}: ${p.line}\n    -> ${p.error ?? `ran ${JSON.stringify(p.ran)}`}`);
    expect(bad).toEqual([]);
  });

  test('npm scripts and bash scripts named in sh blocks exist', () => {
    const scripts = (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { scripts: Record<string, string> }).scripts;
    const bad: string[] = [];
    for (const b of shBlocks) {
      for (const words of commandLines(b.body).flatMap(commandsOfLine)) {
        if (words[0] === 'npm' && words[1] === 'run') {
          const name = words.slice(2).find((w) => !w.startsWith('-'));
          if (!name || !scripts[name]) bad.push(`README.md:${b.line}: npm run ${name ?? ''}: no such script`);
        }
        if (words[0] === 'npm' && words[1] === 'test' && !scripts.test) bad.push(`README.md:${b.line}: npm test: no test script`);
        if (words[0] === 'bash' && words[1]?.startsWith('scripts/') && !existsSync(`${ROOT}${words[1]}`)) bad.push(`README.md:${b.line}: ${words[1]} does not exist`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('the checks can fail: a mistyped flag, a bad choice and an extra argument are refused', async () => {
    expect((await dryParse(['topics', 'create', '--partitons', 'urls=2'])).error).toMatch(/unknown option '--partitons'/);
    expect((await dryParse(['config', '--role', 'nobody'])).error).toMatch(/nobody/);
    expect((await dryParse(['check', 'extra'])).error).toMatch(/too many arguments|unknown command|excess/i);
    expect((await dryParse(['topics'])).ran).toEqual([]);
    expect(kscrapeInvocations(`5 * * * *  kscrape --brokers k:9092 dlq retry --once --quiet >> /var/log/x.log 2>&1`))
      .toEqual([['--brokers', 'k:9092', 'dlq', 'retry', '--once', '--quiet']]);
    expect(kscrapeInvocations(`cat urls.txt | kscrape produce - --json | jq '{a: .b}'`)).toEqual([['produce', '-', '--json']]);
    expect(kscrapeInvocations(`lag=$(kscrape lag -g 'a b' --json)`)).toEqual([['lag', '-g', 'a b', '--json']]);
  });
});

const marked = shBlocks.map(examplesOf);
const examples = marked.flatMap((m) => m.examples);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/;

/** Where an example, as run, connects: URLs given to curl, brokers, Redis, and the addresses of --resolve pins. */
function hostsNamed(script: string): string[] {
  const urls = [...script.matchAll(/curl[^|]*?https?:\/\/([^/\s'"]+)/g)].map((m) => m[1]!);
  const brokers = [...script.matchAll(/(?:--brokers|-b)[ =](\S+)/g)].flatMap((m) => m[1]!.split(','));
  const redis = [...script.matchAll(/redis:\/\/([^/\s'"]+)/g)].map((m) => m[1]!);
  const pinned = [...script.matchAll(/--resolve [^:\s]+:[^:\s]+:(\S+)/g)].map((m) => m[1]!);
  return [...urls, ...brokers, ...redis, ...pinned];
}

function scriptOf(sb: Sandbox, text: string, spec: RunSpec): string {
  return (spec.given ? `${spec.given(sb)}\n` : '') + sb.rewrite(text) + (spec.then ? `\n${spec.then}` : '');
}

describe('README.md examples run against the test broker, Redis and loopback sites', () => {
  let sb: Sandbox;
  const results = new Map<RunSpec, RunResult>();

  beforeAll(async () => {
    sb = await openSandbox();
    const run = async (spec: RunSpec) => {
      const example = examples.find((e) => !e.notRun && specFor(e.text).includes(spec));
      const probe = spec.probe && (() => spec.probe!(sb));
      if (example) results.set(spec, await runExample(sb, scriptOf(sb, example.text, spec), { stopAfterMs: spec.stopAfterMs, probe }));
    };
    const chain = async (name: RunSpec['chain']) => { for (const spec of RUN_SPECS.filter((s) => s.chain === name)) await run(spec); };
    await Promise.all([chain('alone'), chain('pipeline')]);
    await Promise.all(RUN_SPECS.filter((s) => s.chain === 'stopped').map(run));
  }, 240_000);

  afterAll(async () => { await sb?.close(); });

  test('every example is run or marked, every mark and every run spec names exactly one example', () => {
    expect(marked.flatMap((m) => m.badMarks)).toEqual([]);
    expect(examples.filter((e) => !e.notRun && specFor(e.text).length !== 1).map((e) => `${e.at}: ${e.text} (${specFor(e.text).length} run specs)`)).toEqual([]);
    expect(examples.filter((e) => e.notRun && specFor(e.text).length > 0).map((e) => `${e.at}: marked not runnable but has a run spec`)).toEqual([]);
    expect(RUN_SPECS.filter((s) => examples.filter((e) => specFor(e.text).includes(s)).length !== 1).map((s) => s.match)).toEqual([]);
  });

  test('the listing can fail: an unmarked example stays unmarked, a mark that names no example is reported', () => {
    const [block] = fencedBlocks('<!-- not run by the tests: `gone` needs X -->\n<!-- not run by the tests: `b --x` needs Y -->\n```sh\nkscrape a\nkscrape b --x   # why\n```\n');
    const { examples: seen, badMarks } = examplesOf(block!);
    expect(seen).toEqual([{ at: 'README.md:4', text: 'kscrape a' }, { at: 'README.md:5', text: 'kscrape b --x', notRun: 'needs Y' }]);
    expect(badMarks).toEqual(['README.md:3: the mark `gone` matches 0 examples of the block below it']);
    expect(specFor('kscrape a')).toEqual([]);
  });

  test('no example, as run, connects anywhere but loopback', () => {
    const named = examples.filter((e) => !e.notRun).flatMap((e) => hostsNamed(sb.rewrite(e.text)).map((h) => `${e.at}: ${h}`));
    expect(named.filter((h) => !LOOPBACK.test(h.split(': ')[1]!))).toEqual([]);
    expect(hostsNamed('curl -s https://example.com/x | kscrape --brokers kafka-1:9092 --redis redis://r:6379 work --resolve a.test:80:10.0.0.1'))
      .toEqual(['example.com', 'kafka-1:9092', 'r:6379', '10.0.0.1']);
  });

  for (const example of examples) {
    const specs = specFor(example.text);
    const category = example.notRun ? `not run: ${example.notRun}` : specs.length === 1 ? 'run' : 'NEITHER RUN NOR MARKED';
    test(`${example.at} [${category}] ${example.text.split('\n').find((l) => l && !l.startsWith('#')) ?? example.text}`, () => {
      if (example.notRun) return;
      expect(specs).toHaveLength(1);
      const spec = specs[0]!;
      const r = results.get(spec);
      if (!r) throw new Error('did not run');
      const said = `ran (${r.ms} ms): ${scriptOf(sb, example.text, spec)}\nstdout: ${r.stdout.slice(-1500)}\nstderr: ${r.stderr.slice(-1500)}`;
      const codes = spec.codes ?? [0];
      if (!codes.includes(r.code ?? -1)) throw new Error(`exit ${r.code ?? r.signal}, expected ${codes.join(' or ')}\n${said}`);
      try {
        spec.check?.(r, sb);
      } catch (err) {
        throw new Error(`${(err as Error).message}\n${said}`);
      }
    });
  }
});
