/**
 * Apache Kafka's own broker and tool jars, fetched once with Maven from Maven Central and cached outside
 * the work tree, so a second start (or a fresh clone on the same machine) downloads nothing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** scripts/stack/pom.xml, found from src (ts-jest) or dist (compiled) alike. */
export function pomPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'scripts', 'stack', 'pom.xml');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('scripts/stack/pom.xml not found');
}

/** The pinned Kafka version is the pom's `kafka.version` property: one place to change it. */
export function kafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath(), 'utf8'))?.[1];
  if (!version) throw new Error(`no <kafka.version> in ${pomPath()}`);
  return version;
}

export function cacheRoot(): string {
  return process.env.KSCRAPE_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kscrape');
}

export interface JarsResult {
  dir: string;
  version: string;
  downloaded: boolean;
}

/** Returns the folder holding the broker's classpath, fetching it on first use. */
export async function ensureKafkaJars(log: (line: string) => void = () => undefined): Promise<JarsResult> {
  const version = kafkaVersion();
  const dir = join(cacheRoot(), `kafka-${version}`, 'jars');
  const marker = join(dir, '.complete');
  if (existsSync(marker)) return { dir, version, downloaded: false };

  log(`fetching Apache Kafka ${version} jars with Maven (once; cached in ${dir})`);
  const staging = `${dir}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  try {
    await run('mvn', ['-B', '-q', '-f', pomPath(),
      'org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies',
      '-DincludeScope=runtime', `-DoutputDirectory=${staging}`], { maxBuffer: 16 * 1024 * 1024 });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    const e = err as NodeJS.ErrnoException & { stdout?: string; stderr?: string };
    if (e.code === 'ENOENT') throw new Error('Maven (mvn) is not installed: apt-get install -y maven openjdk-17-jdk-headless');
    throw new Error(`Maven could not fetch Kafka ${version}: ${(e.stdout ?? '').split('\n').filter((l) => l.includes('ERROR')).slice(0, 3).join(' ') || e.message}`);
  }
  if (!readdirSync(staging).some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    throw new Error(`Maven finished but kafka_2.13-${version}.jar is missing from ${staging}`);
  }
  writeFileSync(join(staging, '.complete'), `${version}\n`);
  // Another process may have finished first; either copy is complete, keep the one already there.
  try {
    mkdirSync(dirname(dir), { recursive: true });
    renameSync(staging, dir);
  } catch {
    rmSync(staging, { recursive: true, force: true });
  }
  return { dir, version, downloaded: true };
}
