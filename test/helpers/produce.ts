import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { BIN, cliEnv } from './cli.js';

/** `kscrape` as a child whose stdin stays open, for tests that feed input in steps or send signals. */
export interface LiveCli {
  child: ChildProcessWithoutNullStreams;
  write(text: string): Promise<void>;
  end(): void;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(args: string[], env: Record<string, string> = {}, cwd?: string): LiveCli {
  const child = spawn(BIN, args, { env: cliEnv(env), cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return {
    child,
    write: (text) => new Promise((resolve, reject) => child.stdin.write(text, (err) => (err ? reject(err) : resolve()))),
    end: () => child.stdin.end(),
    done,
  };
}

/** Plain URL lines over `hosts` hosts. */
export function urlLines(count: number, hosts: number, tag = 'p'): string[] {
  return Array.from({ length: count }, (_, i) => `https://h${i % hosts}.${tag}.example/item/${i}?ref=t`);
}
