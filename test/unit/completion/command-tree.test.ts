import { describe, expect, test } from '@jest/globals';
import { Argument, Command, Option } from 'commander';
import { programSpecOf, oneLine } from '../../../src/completion/command-tree.js';
import { shQuote } from '../../../src/completion/posix-core.js';
import { fishQuote } from '../../../src/completion/fish.js';

function sample(): Command {
  const program = new Command('tool').option('-b, --brokers <list>', 'brokers').option('--json', 'json');
  const topics = program.command('topics').description('topic things');
  topics.command('create').addOption(new Option('--mode <m>', 'mode').choices(['a', 'b'])).option('--rejects <file>', 'where').option('--dedupe [ttl]', 'ttl');
  program.command('produce').argument('[inputs...]', 'files');
  program.command('completion').addArgument(new Argument('<shell>').choices(['bash', 'zsh']));
  program.command('secret', { hidden: true });
  return program;
}

describe('programSpecOf', () => {
  const spec = programSpecOf(sample());

  test('global flags are the root\'s, including --help; commands do not repeat --help', () => {
    expect(spec.globalFlags.map((f) => f.long)).toEqual(['--brokers', '--json', '--help']);
    expect(spec.root.flags).toEqual([]);
    const create = spec.root.subcommands.find((c) => c.name === 'topics')!.subcommands.find((c) => c.name === 'create')!;
    expect(create.flags.map((f) => f.long)).toEqual(['--mode', '--rejects', '--dedupe']);
  });

  test('arity, choices and file values come from the option declarations', () => {
    const create = spec.root.subcommands[0]!.subcommands[0]!;
    expect(create.path).toEqual(['topics', 'create']);
    expect(create.flags.map((f) => [f.arity, f.value.kind])).toEqual([['required', 'choices'], ['required', 'files'], ['optional', 'words']]);
    expect(create.flags[0]!.value).toEqual({ kind: 'choices', values: ['a', 'b'] });
  });

  test('hidden commands are left out; commander\'s implicit help completes to the sibling commands', () => {
    const names = spec.root.subcommands.map((c) => c.name);
    expect(names).toEqual(['topics', 'produce', 'completion', 'help']);
    expect(spec.root.subcommands.at(-1)!.positional).toEqual({ kind: 'choices', values: ['topics', 'produce', 'completion'] });
    expect(spec.root.subcommands[0]!.subcommands.map((c) => c.name)).toEqual(['create', 'help']);
  });

  test('positional arguments: files for inputs, choices for a chosen argument', () => {
    expect(spec.root.subcommands[1]!.positional).toEqual({ kind: 'files' });
    expect(spec.root.subcommands[2]!.positional).toEqual({ kind: 'choices', values: ['bash', 'zsh'] });
  });
});

describe('quoting and descriptions', () => {
  test('sh and fish quoting keep quotes and backslashes literal', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`);
    expect(fishQuote("it's a \\ path")).toBe(`'it\\'s a \\\\ path'`);
  });

  test('descriptions become one short line', () => {
    expect(oneLine('a\n  b')).toBe('a b');
    expect(oneLine('word '.repeat(40), 20)).toBe('word word word…');
  });
});
