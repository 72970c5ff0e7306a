// `kscrape ... | head -1`: a reader that closes early must end kscrape quietly (no stack trace), with the status
// it had (0 for --help). The reader here closes its end of stdout before kscrape writes anything, so every write
// meets EPIPE, as the second write does after `head -1` has its line.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, cliEnv } from '../../helpers/cli.js';
import { testBrokers } from '../../helpers/env.js';

const dir = mkdtempSync(join(tmpdir(), 'kscrape-closed-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runWithClosedStdout(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stderr }); });
  });
}

describe('stdout closed by the reader', () => {
  const helps = [['--help'], ['--version'], ['produce', '--help'], ['lag', '--help'], ['topics', 'create', '--help']];
  test.each(helps.map((a) => [a.join(' '), a] as const))('kscrape %s: status 0, nothing on stderr', async (_name, args) => {
    const r = await runWithClosedStdout([...args]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('a command writing its result (topics list --json, partition-audit): no stack trace, its own status', async () => {
    const list = await runWithClosedStdout(['--brokers', testBrokers(), 'topics', 'list', '--json']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    const urls = join(dir, 'urls.txt');
    writeFileSync(urls, Array.from({ length: 2_000 }, (_, i) => `https://h${i % 300}.example/p/${i}`).join('\n'));
    const audit = await runWithClosedStdout(['partition-audit', urls, '--partitions', '12']);
    expect(audit.stderr).toBe('');
    expect(audit.code).toBe(0);
  });
});
