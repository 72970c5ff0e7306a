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
 * rates) are not covered by it: the examples that are self-contained also run for real further down.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadProgram, stubActions } from '../helpers/program.js';
import { commandLines, commandsOfLine, kscrapeInvocations } from '../helpers/shell-words.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(`${ROOT}README.md`, 'utf8');
const CHECKED = 'sh';
const KNOWN_KINDS = new Set(['sh', 'sh-illustrative', 'text', 'properties', 'json', 'yaml', 'ini']);

interface Block { kind: string; line: number; body: string }

function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const re = /^```([\w-]*)\n([\s\S]*?)^```\s*$/gm;
  for (let m = re.exec(markdown); m; m = re.exec(markdown)) {
    blocks.push({ kind: m[1] ?? '', line: markdown.slice(0, m.index).split('\n').length, body: m[2] ?? '' });
  }
  return blocks;
}

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
