/**
 * The exit bound on a real process (dist/, as bin/kscrape runs it): a process whose event loop stays held after
 * its command returned ends by SIGKILL at the bound, saying so; one that ends by itself keeps its exit status.
 */
import { expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const module = pathToFileURL(resolve('dist/src/exit-bound.js')).href;
const run = (body: string) => spawnSync(process.execPath, ['--input-type=module', '-e', `import { boundExit } from '${module}';\n${body}`], { encoding: 'utf8', timeout: 20_000 });

test('a process still held after the bound ends with SIGKILL and one line on stderr', () => {
  const r = run("process.exitCode = 0; boundExit({ graceMs: 300, report: (l) => process.stderr.write(l) }); setInterval(() => undefined, 1000);");
  expect(r.signal).toBe('SIGKILL');
  expect(r.stderr).toMatch(/^kscrape: the process did not end 300 ms after the command finished \(still held by: .*Timeout.*\); ending it with SIGKILL/);
});

test('a process that ends by itself keeps its status and says nothing', () => {
  const r = run("process.exitCode = 3; boundExit({ graceMs: 5000, report: (l) => process.stderr.write(l) }); setTimeout(() => undefined, 100);");
  expect(r.signal).toBeNull();
  expect(r.status).toBe(3);
  expect(r.stderr).toBe('');
});
