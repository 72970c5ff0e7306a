// The test command: build, run jest (its JSON report goes to test-results/), and end with the line
// `N passed, N failed` so that a run which executed no test is visible. Extra arguments go to jest.
//   node scripts/run-tests.mjs            every suite (starts a broker and Redis)
//   node scripts/run-tests.mjs --unit     pure-logic suites only, no broker
//   node scripts/run-tests.mjs --no-build test/unit/x.test.ts   skip the build (sources are compiled by ts-jest;
//                                          only the CLI tests, which run bin/kscrape, need dist/)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const started = Date.now();
const args = process.argv.slice(2);
const unitOnly = args.includes('--unit');
const skipBuild = args.includes('--no-build');
const jestArgs = args.filter((a) => a !== '--unit' && a !== '--no-build');

const build = skipBuild ? { status: 0 } : spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(1);
}

mkdirSync('test-results', { recursive: true });
// --forceExit: librdkafka's native threads from the global setup's readiness probe can outlive it by a second.
// One report per run: several test runs may share this working tree at once.
const report = `test-results/jest-${process.pid}.json`;
rmSync(report, { force: true });
// --expose-gc: memory tests measure what stays alive, not garbage that a collection has not reached yet.
const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules --expose-gc`.trim() };
if (unitOnly) env.KSCRAPE_TEST_UNIT_ONLY = '1';
const jest = spawnSync('npx', ['jest', '--json', '--forceExit', `--outputFile=${report}`, ...(unitOnly ? ['test/unit'] : []), ...jestArgs], {
  stdio: ['ignore', 'ignore', 'inherit'], env,
});

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const result = JSON.parse(readFileSync(report, 'utf8'));
  passed = result.numPassedTests;
  failed = result.numFailedTests + result.numRuntimeErrorTestSuites;
  for (const suite of result.testResults) {
    const secs = ((suite.endTime - suite.startTime) / 1000).toFixed(1);
    console.log(`${suite.status === 'failed' ? 'FAIL' : 'PASS'} ${suite.name.replace(`${process.cwd()}/`, '')} (${secs} s)`);
  }
} else {
  failed = 1;
}
console.log(`suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(jest.status === 0 && failed === 0 && passed > 0 ? 0 : 1);
