/**
 * `kscrape completion bash|zsh|fish` run in the real shells: syntax (`bash -n`, `zsh -n`, `fish -n`) and the
 * candidates offered for typed command lines, compared with commander's own tree (the source of truth).
 * zsh and fish are installed with `apt-get install -y zsh fish`; a missing one skips its tests by name.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { runCli } from '../../helpers/cli.js';
import { commandsOf, loadProgram } from '../../helpers/program.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-completion-'));
const has = (shell: string) => spawnSync(shell, ['-c', 'exit 0']).status === 0;
const scripts: Record<string, string> = {};
let program: Command;

beforeAll(async () => {
  for (const shell of ['bash', 'zsh', 'fish']) {
    const r = await runCli(['completion', shell]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    scripts[shell] = join(dir, `kscrape.${shell}`);
    writeFileSync(scripts[shell]!, r.stdout);
  }
  program = (await loadProgram()).program;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sh(shell: string, script: string, cwd = dir): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(shell, ['-c', script], { cwd, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** COMPREPLY of the bash script for a command line; the last word is the one being completed ('' after a space). */
function bashComplete(words: string[]): string[] {
  const quoted = ['kscrape', ...words].map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
  const r = sh('bash', `source ${scripts.bash}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length}; _kscrape; printf '%s\\n' "\${COMPREPLY[@]}"`);
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean);
}

/** Every flag spelling commander accepts at a command path: its own options and the root's. */
function flagsAt(cmd: Command): string[] {
  return [...cmd.options, ...(cmd === program ? [] : program.options)]
    .flatMap((o) => [o.short, o.long]).filter((n): n is string => Boolean(n)).concat(['-h', '--help']);
}

const hasAction = (command: Command) => Boolean((command as unknown as { _actionHandler?: unknown })._actionHandler);

describe('bash', () => {
  test('the script is valid bash (bash -n)', () => {
    expect(sh('bash', `bash -n ${scripts.bash} && echo ok`).stdout).toBe('ok\n');
  });

  test('offers exactly the real subcommands at every level (plus commander\'s help)', () => {
    expect(new Set(bashComplete(['']))).toEqual(new Set([...program.commands.map((c) => c.name()), 'help']));
    for (const { path, command } of commandsOf(program).filter((c) => c.command.commands.length)) {
      expect({ path, offered: new Set(bashComplete([...path.split(' '), ''])) })
        // commander adds its implicit `help` only to a command without an action of its own (`extract` has one, and `extract test`).
        .toEqual({ path, offered: new Set([...command.commands.map((c) => c.name()), ...(hasAction(command) ? [] : ['help'])]) });
    }
    expect(bashComplete(['top'])).toEqual(['topics']);
  });

  test('offers every real flag of every command, and nothing commander would refuse', () => {
    for (const { path, command } of commandsOf(program).filter((c) => !c.command.commands.length)) {
      const offered = new Set(bashComplete([...path.split(' '), '-']));
      const accepted = new Set(flagsAt(command));
      expect({ path, missing: [...accepted].filter((f) => !offered.has(f)) }).toEqual({ path, missing: [] });
      expect({ path, unknown: [...offered].filter((f) => !accepted.has(f) && f !== '-V' && f !== '--version') }).toEqual({ path, unknown: [] });
    }
  });

  test('values: choices of the flag, flag values skipped when finding the command, files where a file is asked', () => {
    expect(bashComplete(['config', '--role', ''])).toEqual(['producer', 'consumer', 'admin']);
    expect(bashComplete(['-b', 'topics', 'dlq', 'retry', '--backoff', 'e'])).toEqual(['exponential']);
    // `topics` here is the value of -b, so the command is still the root: no `create`.
    expect(bashComplete(['-b', 'topics', ''])).not.toContain('create');
    expect(bashComplete(['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    writeFileSync(join(dir, 'seeds-for-completion.txt'), 'https://example.com/\n');
    expect(bashComplete(['produce', '--rejects', 'seeds-for'])).toEqual(['seeds-for-completion.txt']);
    expect(bashComplete(['produce', 'seeds-for'])).toEqual(['seeds-for-completion.txt']);
    expect(bashComplete(['topics', 'create', '--timeout', ''])).toEqual([]);
  });
});

(has('zsh') ? describe : describe.skip)('zsh (installed with apt-get install -y zsh)', () => {
  test('the script is valid zsh (zsh -n) and registers itself with compdef after compinit', () => {
    expect(sh('zsh', `zsh -n ${scripts.zsh} && echo ok`).stdout).toBe('ok\n');
    const r = sh('zsh', `autoload -Uz compinit && compinit -u -d ${dir}/zcompdump; source ${scripts.zsh}; print -r -- $_comps[kscrape]`);
    expect(r.stdout.trim()).toBe('_kscrape');
  });

  test('computes the same candidates as bash (the core is shared sh)', () => {
    for (const words of [[''], ['topics', ''], ['-b', 'x', 'config', '--role', ''], ['dlq', 'retry', '-'], ['completion', '']]) {
      const args = words.map((w) => `'${w}'`).join(' ');
      const r = sh('zsh', `compdef() { :; }; source ${scripts.zsh}; _kscrape_candidates ${args}`);
      expect(r.stderr).toBe('');
      const zsh = r.stdout.split('\n').filter(Boolean);
      const bash = sh('bash', `source ${scripts.bash}; _kscrape_candidates ${args}`).stdout.split('\n').filter(Boolean);
      expect({ words, zsh }).toEqual({ words, zsh: bash });
      expect(zsh.length).toBeGreaterThan(0);
    }
  });
});

(has('fish') ? describe : describe.skip)('fish (installed with apt-get install -y fish)', () => {
  const fishComplete = (line: string) => {
    const r = sh('fish', `source ${scripts.fish}; complete -C ${JSON.stringify(line)}`);
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean).map((l) => l.split('\t')[0]);
  };

  test('the script is valid fish (fish -n)', () => {
    expect(sh('fish', `fish -n ${scripts.fish}; and echo ok`).stdout).toBe('ok\n');
  });

  test('offers the real subcommands, flags and choices', () => {
    expect(new Set(fishComplete('kscrape '))).toEqual(new Set([...program.commands.map((c) => c.name()), 'help']));
    const topics = program.commands.find((c) => c.name() === 'topics')!;
    expect(new Set(fishComplete('kscrape --brokers x topics '))).toEqual(new Set([...topics.commands.map((c) => c.name()), 'help']));
    const create = topics.commands.find((c) => c.name() === 'create')!;
    const longs = fishComplete('kscrape topics create --');
    for (const o of [...create.options, ...program.options]) if (o.long) expect(longs).toContain(o.long);
    expect(longs).not.toContain('--cooldown');
    expect(fishComplete('kscrape config --role ').sort()).toEqual(['admin', 'consumer', 'producer']);
    expect(fishComplete('kscrape completion ').sort()).toEqual(['bash', 'fish', 'zsh']);
  });
});

describe('kscrape completion', () => {
  test('an unknown shell is a usage error (exit 2, one line)', async () => {
    const r = await runCli(['completion', 'powershell']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});
