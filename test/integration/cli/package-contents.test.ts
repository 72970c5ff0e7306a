/**
 * The cheap half of `npm run test:pack` (scripts/test-pack.sh installs the tarball for real, slowly): what
 * `npm pack` would put in the package, and whether everything the shipped code imports is a dependency.
 */
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; scripts: Record<string, string>; bin: Record<string, string> };

function packedFiles(): string[] {
  // --ignore-scripts: no `prepare` build here (the tests run against the dist/ that is already built).
  const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
  expect(r.status).toBe(0);
  const [report] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return report!.files.map((f) => f.path);
}

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? jsFiles(path) : e.name.endsWith('.js') ? [path] : [];
  });
}

describe('npm pack', () => {
  const files = packedFiles();

  test('ships the entry point, the built CLI, the README and the examples', () => {
    for (const f of ['package.json', 'bin/kscrape', 'dist/src/cli.js', 'README.md', 'examples/kscrape-work.service', 'examples/grafana-dashboard.json']) {
      expect(files).toContain(f);
    }
    expect(Object.values(pkg.bin)).toEqual(['bin/kscrape']);
  });

  test('ships no tests, TypeScript sources, benchmarks, scripts or local state', () => {
    const unwanted = files.filter((f) => /^(test|src|bench|scripts|dist\/test|dist\/bench|dist\/scripts|\.stack|test-results|node_modules)\//.test(f) || /\.ts$/.test(f));
    expect(unwanted).toEqual([]);
  });

  test('every package the shipped code imports is a runtime dependency', () => {
    const builtins = new Set(builtinModules);
    const missing = new Set<string>();
    for (const file of [...jsFiles(join(ROOT, 'dist/src')), join(ROOT, 'bin/kscrape')]) {
      if (!files.includes(file.slice(ROOT.length))) continue; // built but not shipped (a stale file, say)
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:^|\s)(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const spec = m[1] ?? m[2] ?? '';
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec)) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!pkg.dependencies[name]) missing.add(`${name} (${file.slice(ROOT.length)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  test('installing the tarball does not need the build: prepare only runs for git and folder installs', () => {
    // npm runs `prepare` before `npm pack` (so dist/ is fresh) and for git dependencies, never when a tarball
    // is installed; the tarball must therefore carry dist/ and nothing may need devDependencies at install.
    expect(pkg.scripts.prepare).toMatch(/tsc/);
    expect(Object.keys(pkg.scripts)).not.toEqual(expect.arrayContaining(['install', 'postinstall', 'preinstall']));
    expect(pkg.scripts['test:pack']).toBe('bash scripts/test-pack.sh');
  });
});
