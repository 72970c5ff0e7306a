/**
 * `--help` is the reference operators read at 3 am: every command shows examples and every option its default.
 * Walks the real command tree (so a command added later is checked too) and prints all gaps in one failure.
 */
import { beforeAll, describe, expect, test } from '@jest/globals';
import type { Command, Option } from 'commander';
import { commandsOf, helpOf, loadProgram, type LoadedProgram } from '../../helpers/program.js';

let loaded: LoadedProgram;
beforeAll(async () => { loaded = await loadProgram(); });

/**
 * An option's default is shown when commander prints one (`.default(value[, description])`) or the description
 * says it ("default ...", "(off unless ...)"). A plain switch (`--json`, `--dry-run`) is off unless given:
 * that is its only possible default, so it needs no words. Negated switches (`--no-time`) must say what happens
 * without them.
 */
function defaultGap(opt: Option): string | undefined {
  if (opt.long === '--help' || opt.long === '--version') return undefined;
  const isSwitch = !opt.required && !opt.optional;
  if (isSwitch && !opt.negate) return undefined;
  if (opt.defaultValueDescription !== undefined || (opt.defaultValue !== undefined && !opt.negate)) return undefined;
  if (/\bdefault\b/i.test(opt.description)) return undefined;
  return `${opt.flags}: no default shown (add .default(value, 'what it means') or say "default: ..." in the description)`;
}

describe('--help of every command', () => {
  test('every option shows its default or explains it', () => {
    const gaps: string[] = [];
    for (const opt of loaded.program.options) {
      const gap = defaultGap(opt);
      if (gap) gaps.push(`kscrape (global) ${gap}`);
    }
    for (const { path, command } of commandsOf(loaded.program)) {
      for (const opt of command.options) {
        const gap = defaultGap(opt);
        if (gap) gaps.push(`kscrape ${path} ${gap}`);
      }
    }
    expect(gaps).toEqual([]);
  });

  test('the root and every command have an "Examples:" section with real kscrape lines', () => {
    const gaps: string[] = [];
    const check = (label: string, command: Command) => {
      const text = helpOf(loaded, command);
      const examples = text.split(/^Examples:\s*$/m)[1];
      if (!examples) { gaps.push(`${label}: no "Examples:" section`); return; }
      const lines = examples.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
      const name = label === 'kscrape' ? '' : label.replace(/^kscrape /, '');
      const leaf = name.split(' ').pop() ?? '';
      if (!lines.some((l) => /(^|[|;(]\s*)kscrape /.test(l) && l.includes(leaf))) gaps.push(`${label}: its examples never run "${name || 'kscrape'}"`);
    };
    check('kscrape', loaded.program);
    for (const { path, command } of commandsOf(loaded.program)) check(`kscrape ${path}`, command);
    expect(gaps).toEqual([]);
  });

  test('the check itself can fail: an option without a default and a command without examples are reported', () => {
    const probe = loaded.program.command('probe-only-in-this-test').option('--level <n>', 'some level');
    expect(defaultGap(probe.options[0] as Option)).toMatch(/--level <n>: no default shown/);
    expect(helpOf(loaded, probe)).not.toMatch(/^Examples:/m);
  });
});

describe('kscrape sitemap --help', () => {
  test('lists the fetch and host-rate flags it uses, not those it ignores (page body caps, media types, customers)', () => {
    const sitemap = commandsOf(loaded.program).find((c) => c.path === 'sitemap')!.command;
    const longs = sitemap.options.map((o) => o.long);
    expect(longs).toEqual(expect.arrayContaining(['--host-delay', '--host-rate', '--allow-cidr', '--resolve', '--max-file-bytes', '--max-sitemaps']));
    for (const ignored of ['--customer-rate', '--max-page-bytes', '--accept']) expect(longs).not.toContain(ignored);
    expect(helpOf(loaded, sitemap)).not.toMatch(/--customer-rate|--max-page-bytes|--accept\b/);
  });
});

describe('kscrape work --help', () => {
  test('says what --follow without --redis does not deduplicate: other workers\' finds, and seeds not yet fetched', () => {
    const work = commandsOf(loaded.program).find((c) => c.path === 'work')!.command;
    const text = helpOf(loaded, work).replace(/\s+/g, ' ');
    expect(text).toContain('--follow without --redis: discovered URLs are deduplicated by this process only (run one worker)');
    expect(text).toContain('a seed that a page links to before the seed itself was fetched is queued and fetched a second time');
  });
});
