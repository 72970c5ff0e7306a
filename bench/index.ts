/**
 * `npm run bench -- <name> [--quick]`: runs one benchmark (or all, with no name) against the local stack.
 * Each benchmark is bench/<name>.ts exporting `run(opts)`; it runs kscrape and its peer in the same run and
 * prints both figures and the ratio. Figures go to BENCHMARKS.md by hand, with the command that made them.
 * `npm run bench -- --quick` runs every benchmark's short version (a few minutes in all); without it, the full
 * versions that BENCHMARKS.md quotes. Each prints its wall time and the load average when it ends.
 */
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface BenchOptions {
  /** A short version (seconds, not minutes) for CI and quick checks. */
  quick: boolean;
  args: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['index.js'].includes(f) && !f.startsWith('_'))
  .map((f) => f.replace(/\.js$/, ''));

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const names = args.filter((a) => !a.startsWith('--'));
  const selected = names.length ? names : available;
  for (const name of selected) {
    if (!available.includes(name)) {
      process.stderr.write(`bench: no benchmark '${name}' (available: ${available.join(', ') || 'none'})\n`);
      return 2;
    }
  }
  // One failing benchmark does not hide the others' figures; the exit status still says it failed.
  const failed: string[] = [];
  const t0 = Date.now();
  for (const name of selected) {
    process.stderr.write(`\n=== bench ${name}${quick ? ' (quick)' : ''}\n`);
    const started = Date.now();
    try {
      const mod = (await import(`./${name}.js`)) as { run: (opts: BenchOptions) => Promise<void> };
      await mod.run({ quick, args: args.filter((a) => a !== name) });
    } catch (err) {
      failed.push(name);
      process.stderr.write(`bench ${name} failed: ${(err as Error).stack ?? String(err)}\n`);
    }
    process.stderr.write(`=== bench ${name}: ${((Date.now() - started) / 1000).toFixed(0)} s, load average ${loadavg()[0]!.toFixed(1)}\n`);
  }
  if (selected.length > 1) process.stderr.write(`\n=== ${selected.length} benchmarks in ${((Date.now() - t0) / 1000).toFixed(0)} s${failed.length ? `; failed: ${failed.join(', ')}` : ''}\n`);
  return failed.length ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (err: Error) => {
  process.stderr.write(`bench: ${err.stack ?? err.message}\n`);
  process.exitCode = 1;
});
