/**
 * bin/kscrape is a shell line and a module in one file: run by a shell (as npm's bin link, systemd's ExecStart
 * or a user's PATH do), it starts Node with kscrape's V8 flags plus KSCRAPE_NODE_OPTIONS; run as `node
 * bin/kscrape`, Node skips that line. Either way the CLI runs, its exit code and arguments pass through unchanged,
 * and a symlink to the bin (what npm installs) finds the modules beside the real file.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { BIN, cliEnv } from '../../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string }).version;
const dir = mkdtempSync(join(tmpdir(), 'kscrape-launcher-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A preload that records the flags Node was started with. */
const recorder = join(dir, 'record.cjs');
writeFileSync(recorder, `require('node:fs').writeFileSync(process.env.RECORD_TO, JSON.stringify(process.execArgv));\n`);

function run(command: string, args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(command, args, { env: cliEnv(extraEnv), encoding: 'utf8', timeout: 30_000 });
}

describe('bin/kscrape launcher', () => {
  test('run by a shell: Node gets kscrape\'s flags, then KSCRAPE_NODE_OPTIONS', () => {
    const out = join(dir, 'flags-direct.json');
    const r = run(BIN, ['--version'], { KSCRAPE_NODE_OPTIONS: `--require ${recorder}`, RECORD_TO: out });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(['--max-semi-space-size=4', '--require', recorder]);
  });

  test('through a symlink, as npm installs it, with arguments (spaces included) and exit codes passed through', () => {
    const link = join(dir, 'kscrape');
    symlinkSync(BIN, link);
    expect(run(link, ['--version']).stdout.trim()).toBe(VERSION);
    const usage = run(link, ['lag', '--group', 'a group with spaces', '--max-lag', 'not-a-number']);
    expect(usage.status).toBe(3);
    expect(usage.stderr).toContain('--max-lag');
    expect(run(link, ['no-such-command']).status).toBe(2);
  });

  test('run as `node bin/kscrape`: the launcher line is skipped and the CLI runs without the flags', () => {
    const out = join(dir, 'flags-node.json');
    const r = run(process.execPath, ['--require', recorder, BIN, '--version'], { RECORD_TO: out });
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(VERSION);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(['--require', recorder]);
  });
});
