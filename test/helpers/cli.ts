import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bin, spawned as a shell runs it: its launcher line starts Node with kscrape's flags. */
export const BIN = fileURLToPath(new URL('../../bin/kscrape', import.meta.url));

/** A user's environment: this shell's without its KSCRAPE_* settings and NODE_OPTIONS, plus `extra`. */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('KSCRAPE_') && !k.startsWith('NODE_OPTIONS')) env[k] = v;
  return Object.assign(env, extra);
}

export interface CliResult {
  code: number | null;
  /** The signal that ended the process, when one did. */
  signal?: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `bin/kscrape` as a user would, with a clean KSCRAPE_* environment plus `env`. */
export function runCli(args: string[], opts: { env?: Record<string, string>; input?: string; timeoutMs?: number; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: cliEnv(opts.env), cwd: opts.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
    child.stdin.end(opts.input ?? '');
  });
}
