/**
 * The command line as data for shell completion, read from commander's own tree (through its public Help
 * API, which also lists the implicit `help` command and `--help`), so the scripts can never offer a flag
 * the parser does not know. Pure: no I/O.
 */
import type { Argument, Command, Option } from 'commander';

/** What may follow a flag or stand as a positional argument. */
export type ValueHint = { kind: 'none' } | { kind: 'files' } | { kind: 'choices'; values: string[] } | { kind: 'words' };

export interface FlagSpec {
  short?: string;
  long?: string;
  description: string;
  /** none: a switch; required: `<value>` (always takes the next word); optional: `[value]`. */
  arity: 'none' | 'required' | 'optional';
  value: ValueHint;
}

export interface CommandSpec {
  name: string;
  /** Names from the root down to this command, without the program's own name. */
  path: string[];
  description: string;
  flags: FlagSpec[];
  subcommands: CommandSpec[];
  /** What the first missing positional argument completes to. */
  positional: ValueHint;
}

export interface ProgramSpec {
  name: string;
  /** The program's own flags: commander accepts them before or after any command name. */
  globalFlags: FlagSpec[];
  root: CommandSpec;
}

const FILE_WORDS = /^(file|files|inputs?|path|paths|dir)$/i;

export function programSpecOf(program: Command): ProgramSpec {
  const root = commandSpecOf(program, []);
  const globalNames = new Set(root.flags.flatMap(flagNames));
  // Every command repeats -h/--help, which the global flags already offer everywhere.
  const withoutGlobals = (c: CommandSpec): CommandSpec => ({
    ...c,
    flags: c.flags.filter((f) => !flagNames(f).every((n) => globalNames.has(n))),
    subcommands: c.subcommands.map(withoutGlobals),
  });
  return { name: program.name(), globalFlags: root.flags, root: withoutGlobals({ ...root, flags: [] }) };
}

function commandSpecOf(cmd: Command, path: string[]): CommandSpec {
  const help = cmd.createHelp();
  const subcommands = help.visibleCommands(cmd).map((sub) => {
    if (sub.name() === 'help' && !cmd.commands.includes(sub)) return helpCommandSpec(sub, [...path, 'help'], cmd);
    return commandSpecOf(sub, [...path, sub.name()]);
  });
  const args = cmd.registeredArguments;
  return {
    name: cmd.name(),
    path,
    description: oneLine(cmd.description()),
    flags: help.visibleOptions(cmd).map(flagSpecOf),
    subcommands,
    positional: args[0] ? argumentHint(args[0]) : { kind: 'none' },
  };
}

/** commander's implicit `help [command]`: its argument is one of the sibling commands. */
function helpCommandSpec(helpCmd: Command, path: string[], parent: Command): CommandSpec {
  const siblings = parent.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map((c) => c.name());
  return { name: 'help', path, description: oneLine(helpCmd.description()), flags: [], subcommands: [], positional: { kind: 'choices', values: siblings } };
}

function flagSpecOf(opt: Option): FlagSpec {
  const arity = opt.required ? 'required' : opt.optional ? 'optional' : 'none';
  const valueName = opt.flags.match(/[<[]([^>\]]+)[>\]]/)?.[1]?.replace(/\.\.\.$/, '') ?? '';
  const value: ValueHint = arity === 'none' ? { kind: 'none' }
    : opt.argChoices ? { kind: 'choices', values: [...opt.argChoices] }
    : FILE_WORDS.test(valueName) ? { kind: 'files' } : { kind: 'words' };
  return { ...(opt.short ? { short: opt.short } : {}), ...(opt.long ? { long: opt.long } : {}), description: oneLine(opt.description), arity, value };
}

function argumentHint(arg: Argument): ValueHint {
  if (arg.argChoices) return { kind: 'choices', values: [...arg.argChoices] };
  return FILE_WORDS.test(arg.name()) ? { kind: 'files' } : { kind: 'words' };
}

/** The first sentence-ish part of a description, on one line, short enough for a completion menu. */
export function oneLine(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

/** Every command of the tree, depth first, the root included. */
export function allCommands(root: CommandSpec): CommandSpec[] {
  return [root, ...root.subcommands.flatMap(allCommands)];
}

export function flagNames(flag: FlagSpec): string[] {
  return [flag.short, flag.long].filter((n): n is string => n !== undefined);
}
