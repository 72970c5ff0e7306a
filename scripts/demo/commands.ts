/**
 * Runs the demo's commands as real child processes: the built CLI (bin/kscrape) or a shell pipeline, each shown
 * as a person would type it, its output streamed line by line (indented, labelled when several run at once).
 * Every child started is tracked, so an interrupted demo can stop them all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname } from 'node:path';

export const BIN = fileURLToPath(new URL('../../../bin/kscrape', import.meta.url));

export interface CommandResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export interface Running {
  pid: number;
  done: Promise<CommandResult>;
}

export interface CommandRunnerOptions {
  env: NodeJS.ProcessEnv;
  /** Where progress goes (the demo's stderr). */
  write: (text: string) => void;
}

/** Shell quoting for display (and for `sh -c`): bare words stay bare. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export class CommandRunner {
  private readonly live = new Map<number, ChildProcess>();

  constructor(private readonly opts: CommandRunnerOptions) {}

  /** `kscrape <args>` in the background (shown with a trailing &); its lines are prefixed with `label`. */
  start(args: readonly string[], label: string): Running {
    this.opts.write(`    $ kscrape ${args.map(shellQuote).join(' ')} &\n`);
    return this.spawnAndStream(process.execPath, [BIN, ...args], label, undefined);
  }

  /** `kscrape <args>` to the end; with `label`, its lines are prefixed with it. */
  run(args: readonly string[], opts: { label?: string; input?: string } = {}): Promise<CommandResult> {
    this.opts.write(`    $ kscrape ${args.map(shellQuote).join(' ')}\n`);
    return this.spawnAndStream(process.execPath, [BIN, ...args], opts.label ?? '', opts.input).done;
  }

  /** A pipeline through `sh -c`, with bin/ first on PATH so it says `kscrape` as a user would. */
  shell(line: string): Promise<CommandResult> {
    this.opts.write(`    $ ${line}\n`);
    const env = { ...this.opts.env, PATH: `${dirname(BIN)}:${this.opts.env.PATH ?? ''}` };
    return this.spawnAndStream('sh', ['-c', line], '', undefined, env).done;
  }

  /** SIGTERM to every child still running, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 5_000): Promise<void> {
    const children = [...this.live.values()];
    for (const c of children) c.kill('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.live.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    for (const c of this.live.values()) c.kill('SIGKILL');
  }

  private spawnAndStream(file: string, args: string[], label: string, input: string | undefined, env = this.opts.env): Running {
    const started = Date.now();
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    if (child.pid) this.live.set(child.pid, child);
    const prefix = `      ${label ? `[${label}] ` : ''}`;
    let stdout = '';
    let stderr = '';
    const stream = (from: NodeJS.ReadableStream, onText: (t: string) => void) => {
      let partial = '';
      from.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        onText(text);
        const lines = (partial + text).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) this.opts.write(`${prefix}${line}\n`);
      });
      from.on('end', () => { if (partial) this.opts.write(`${prefix}${partial}\n`); });
    };
    stream(child.stdout!, (t) => { stdout += t; });
    stream(child.stderr!, (t) => { stderr += t; });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(input ?? '');
    const done = new Promise<CommandResult>((resolve) => {
      child.on('error', (err) => { stderr += err.message; });
      child.on('close', (code, signal) => {
        if (child.pid) this.live.delete(child.pid);
        resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
      });
    });
    return { pid: child.pid ?? 0, done };
  }
}
