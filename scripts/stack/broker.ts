/**
 * A single-node Apache Kafka broker in KRaft mode (combined broker + controller), started from
 * Apache's own jars. All of its state (config, data, log, pid) lives in one folder.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createAdmin } from '../../src/kafka/index.js';
import { createLogger } from '../../src/log.js';
import { ensureKafkaJars } from './kafka-jars.js';
import { freePort, isAlive, isPortOpen, sleep, terminate } from './ports.js';

const run = promisify(execFile);

export interface BrokerState {
  pid: number;
  port: number;
  controllerPort: number;
  brokers: string;
  version: string;
  logFile: string;
  dataDir: string;
  startedAt: string;
  /** Time from spawn to the first successful admin request. */
  startupMs: number;
}

export interface StartBrokerOptions {
  /** Folder for config, data, logs and the state file. */
  stateDir: string;
  /** Listener port; ignored with freePorts. Default 9092. */
  port?: number;
  /** Pick unused ports instead of 9092/9093. */
  freePorts?: boolean;
  /** JVM heap in MB. Default 512: plenty for one node under test load. */
  heapMb?: number;
  /** Give up waiting for the broker after this long. Default 90 s. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

const stateFile = (stateDir: string) => join(stateDir, 'broker.json');

export function readBrokerState(stateDir: string): BrokerState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as BrokerState;
}

export async function startBroker(opts: StartBrokerOptions): Promise<BrokerState> {
  const log = opts.log ?? (() => undefined);
  const existing = readBrokerState(opts.stateDir);
  if (existing && isAlive(existing.pid)) {
    await waitUntilReady(existing.brokers, existing.pid, existing.logFile, opts.readyTimeoutMs ?? 90_000);
    return existing;
  }
  const { dir: jars, version } = await ensureKafkaJars(log);
  const port = opts.freePorts ? await freePort() : opts.port ?? 9092;
  const controllerPort = opts.freePorts ? await freePort() : port + 1;
  for (const p of [port, controllerPort]) {
    if (await isPortOpen(p)) throw new Error(`port ${p} is already in use on 127.0.0.1; stop what uses it or pass --free-ports`);
  }

  const dataDir = join(opts.stateDir, 'data');
  const logFile = join(opts.stateDir, 'broker.log');
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const props = join(opts.stateDir, 'server.properties');
  writeFileSync(props, serverProperties({ nodeId: 1, port, controllerPort, dataDir, voters: `1@127.0.0.1:${controllerPort}`, replicationFactor: 1 }));
  const log4j = join(opts.stateDir, 'log4j2.yaml');
  writeFileSync(log4j, log4jConfig(logFile));

  await formatStorage(jars, props, await newClusterId(jars));

  const started = Date.now();
  const child = { pid: spawnKafka({ jars, dir: opts.stateDir, heapMb: opts.heapMb ?? 512 }) };
  const brokers = `127.0.0.1:${port}`;
  const state: BrokerState = {
    pid: child.pid, port, controllerPort, brokers, version, logFile, dataDir,
    startedAt: new Date(started).toISOString(), startupMs: 0,
  };
  writeFileSync(stateFile(opts.stateDir), JSON.stringify(state, null, 2));
  try {
    await waitUntilReady(brokers, child.pid, logFile, opts.readyTimeoutMs ?? 90_000);
  } catch (err) {
    await terminate(child.pid, 5_000);
    throw err;
  }
  state.startupMs = Date.now() - started;
  writeFileSync(stateFile(opts.stateDir), JSON.stringify(state, null, 2));
  return state;
}

export async function stopBroker(stateDir: string, graceMs = 20_000): Promise<boolean> {
  const state = readBrokerState(stateDir);
  if (!state) return false;
  const wasAlive = isAlive(state.pid);
  await terminate(state.pid, graceMs);
  rmSync(stateFile(stateDir), { force: true });
  return wasAlive;
}

/** True when the broker answers an admin request within `timeoutMs`. */
export async function brokerAnswers(brokers: string, timeoutMs = 3_000): Promise<boolean> {
  const admin = createAdmin({ config: { 'bootstrap.servers': brokers }, logger: createLogger({ level: 'quiet' }) });
  try {
    await withDeadline(admin.connect(), timeoutMs);
    await withDeadline(admin.listTopics({ timeout: timeoutMs }), timeoutMs + 500);
    return true;
  } catch {
    return false;
  } finally {
    await withDeadline(admin.disconnect(), 2_000).catch(() => undefined);
  }
}

async function waitUntilReady(brokers: string, pid: number, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const port = Number(brokers.split(':')[1]);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) throw new Error(`the broker exited during start-up; see ${logFile}`);
    if (await isPortOpen(port) && await brokerAnswers(brokers)) return;
    await sleep(250);
  }
  throw new Error(`the broker did not answer within ${timeoutMs / 1000} s; see ${logFile}`);
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/** A new KRaft cluster id (every node of one cluster is formatted with the same one). */
export async function newClusterId(jars: string): Promise<string> {
  const { stdout } = await run('java', ['-cp', `${jars}/*`, 'kafka.tools.StorageTool', 'random-uuid']);
  return lastLine(stdout);
}

/** Writes the node's meta.properties into its log.dirs; with a static `controller.quorum.voters`, no --standalone. */
export async function formatStorage(jars: string, propsFile: string, clusterId: string): Promise<void> {
  await run('java', ['-cp', `${jars}/*`, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile]);
}

/**
 * Starts `kafka.Kafka` on `<dir>/server.properties` with `<dir>/log4j2.yaml`, detached (it outlives the script that
 * started it), stdout and stderr appended to `<dir>/broker.stdout`. Returns the JVM's pid.
 */
export function spawnKafka({ jars, dir, heapMb }: { jars: string; dir: string; heapMb: number }): number {
  const out = openSync(join(dir, 'broker.stdout'), 'a');
  const child = spawn('java', [
    `-Xms${Math.min(256, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.yaml')}`, `-Dkafka.logs.dir=${dir}`,
    '-cp', `${jars}/*`, 'kafka.Kafka', join(dir, 'server.properties'),
  ], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  if (!child.pid) throw new Error('could not start java');
  return child.pid;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

export interface NodeProperties {
  nodeId: number;
  port: number;
  controllerPort: number;
  dataDir: string;
  /** `controller.quorum.voters`: `id@host:port,...` of every controller of the cluster. */
  voters: string;
  /** Replication of the internal topics (offsets, transactions): 1 for one node, 3 for the 3-node cluster. */
  replicationFactor: number;
}

/**
 * The server.properties of a combined broker+controller node. With replication 3 the internal topics need 2 in-sync
 * copies to accept a transaction write (what production runs), and no node that missed writes may become a leader.
 */
export function serverProperties({ nodeId, port, controllerPort, dataDir, voters, replicationFactor }: NodeProperties): string {
  const minIsr = replicationFactor >= 3 ? 2 : 1;
  return `# Written by kscrape's local stack: a KRaft node (broker + controller) for development and tests.
process.roles=broker,controller
node.id=${nodeId}
controller.quorum.voters=${voters}
listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${port}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
num.partitions=1
offsets.topic.replication.factor=${replicationFactor}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicationFactor}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=5
share.coordinator.state.topic.replication.factor=${replicationFactor}
share.coordinator.state.topic.min.isr=${minIsr}
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
# Tests create and delete many topics; keep the broker light.
log.segment.bytes=67108864
log.retention.check.interval.ms=60000
`;
}

export function log4jConfig(logFile: string): string {
  return `Configuration:
  Appenders:
    File:
      name: file
      fileName: "${logFile}"
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Logger:
      - name: kafka.request.logger
        level: WARN
      - name: state.change.logger
        level: WARN
      - name: kafka.controller
        level: INFO
    Root:
      level: INFO
      AppenderRef:
        - ref: file
`;
}
