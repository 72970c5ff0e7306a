/**
 * The real command tree, loaded from the built CLI (dist/, like runCli) so that a type error in a command
 * somebody is still writing does not stop the tests that only walk the tree. Actions can be stubbed for a
 * dry parse: commander then checks flags, choices and argument counts exactly as a real run would.
 */
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import type { Command } from 'commander';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

export interface LoadedProgram {
  program: Command;
  /** Everything the program wrote (help text, errors) since the last take(). */
  take(): string;
}

function sink(into: string[]): Writable {
  return new Writable({ write(chunk: Buffer, _enc, done) { into.push(chunk.toString()); done(); } });
}

export async function loadProgram(): Promise<LoadedProgram> {
  const { createProgram } = (await import(CLI)) as { createProgram(runtime: unknown, stderr: NodeJS.WritableStream): Promise<Command> };
  const written: string[] = [];
  const out = sink(written);
  const program = await createProgram({ stdout: out, setExitCode: () => undefined }, out);
  return { program, take: () => written.splice(0).join('') };
}

/** Every command below the root, depth first, with its path ("topics create"). */
export function commandsOf(program: Command): { path: string; command: Command }[] {
  const walk = (cmd: Command, prefix: string[]): { path: string; command: Command }[] =>
    cmd.commands.flatMap((sub) => {
      const path = [...prefix, sub.name()];
      return [{ path: path.join(' '), command: sub }, ...walk(sub, path)];
    });
  return walk(program, []);
}

/**
 * Replaces the action of every leaf command (and of every command with an action of its own) with one that records what would have run: parsing then touches no
 * network or file. (Groups such as `topics` keep having no action, so commander still prints their help.)
 */
export function stubActions(program: Command): { ran: string[] } {
  const record = { ran: [] as string[] };
  for (const { path, command } of commandsOf(program)) {
    // A command with subcommands may have an action of its own too (`extract` and `extract test`).
    const hasAction = (command as unknown as { _actionHandler?: unknown })._actionHandler !== null && (command as unknown as { _actionHandler?: unknown })._actionHandler !== undefined;
    if (!command.commands.length || hasAction) command.action(() => { record.ran.push(path); });
  }
  return record;
}

/** The full help of one command as the user sees it, including addHelpText('after') sections. */
export function helpOf(loaded: LoadedProgram, command: Command): string {
  loaded.take();
  command.outputHelp();
  return loaded.take();
}
