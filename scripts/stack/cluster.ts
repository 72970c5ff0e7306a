/**
 * A local Apache Kafka cluster of N combined broker+controller KRaft nodes (N = 3 for `stack up --brokers 3`), from
 * Apache's own jars, the topology kscrape's operators run: internal topics replicated 3 times with a min ISR of 2,
 * unclean leader election off. Every node has its own folder (config, data, log) under `<stateDir>/node-<id>`, and
 * `<stateDir>/cluster.json` names them all. A node can be started again from its folder (same id, ports and data):
 * that is how tests restart a killed broker.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brokerAnswers, formatStorage, log4jConfig, newClusterId, serverProperties, spawnKafka } from './broker.js';
import { ensureKafkaJars } from './kafka-jars.js';
import { freePort, isAlive, isPortOpen, sleep, terminate } from './ports.js';

export interface ClusterNode {
  id: number;
  pid: number;
  port: number;
  controllerPort: number;
  /** `127.0.0.1:<port>`: this node's client listener. */
  address: string;
  dir: string;
  logFile: string;
}

export interface ClusterState {
  clusterId: string;
  version: string;
  /** The bootstrap list for clients: every node's address, comma-separated. */
  brokers: string;
  nodes: ClusterNode[];
  heapMb: number;
  startedAt: string;
  /** Time from spawning the nodes to every node answering and the metadata listing all of them. */
  startupMs: number;
}

export interface StartClusterOptions {
  stateDir: string;
  /** Number of nodes. Default 3. */
  size?: number;
  /** First client port, then +2 per node (controller port = client port + 1); ignored with freePorts. Default 9092. */
  port?: number;
  freePorts?: boolean;
  /** JVM heap per node in MB. Default 384: three JVMs on a small shared machine. */
  heapMb?: number;
  /** Give up waiting for the cluster after this long. Default 120 s. */
  readyTimeoutMs?: number;
  log?: (line: string) => void;
}

const stateFile = (stateDir: string) => join(stateDir, 'cluster.json');

export function readClusterState(stateDir: string): ClusterState | undefined {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as ClusterState;
}

function writeClusterState(stateDir: string, state: ClusterState): void {
  writeFileSync(stateFile(stateDir), JSON.stringify(state, null, 2));
}

export async function startCluster(opts: StartClusterOptions): Promise<ClusterState> {
  const log = opts.log ?? (() => undefined);
  const readyTimeoutMs = opts.readyTimeoutMs ?? 120_000;
  const existing = readClusterState(opts.stateDir);
  if (existing && existing.nodes.some((n) => isAlive(n.pid))) {
    for (const node of existing.nodes) if (!isAlive(node.pid)) await startNode(opts.stateDir, node.id);
    await waitForCluster(existing, readyTimeoutMs);
    return readClusterState(opts.stateDir) ?? existing;
  }
  const size = opts.size ?? 3;
  const heapMb = opts.heapMb ?? 384;
  const { dir: jars, version } = await ensureKafkaJars(log);
  const ids = Array.from({ length: size }, (_, i) => i + 1);
  const ports: { port: number; controllerPort: number }[] = [];
  for (const [i] of ids.entries()) {
    const port = opts.freePorts ? await freePort() : (opts.port ?? 9092) + 2 * i;
    const controllerPort = opts.freePorts ? await freePort() : port + 1;
    ports.push({ port, controllerPort });
  }
  const all = ports.flatMap((p) => [p.port, p.controllerPort]);
  if (new Set(all).size !== all.length) throw new Error('two nodes were given the same port; try again');
  for (const p of all) {
    if (await isPortOpen(p)) throw new Error(`port ${p} is already in use on 127.0.0.1; stop what uses it or pass --free-ports`);
  }
  const voters = ids.map((id, i) => `${id}@127.0.0.1:${ports[i]!.controllerPort}`).join(',');
  const clusterId = await newClusterId(jars);
  const nodes: ClusterNode[] = ids.map((id, i) => {
    const dir = join(opts.stateDir, `node-${id}`);
    const dataDir = join(dir, 'data');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    const { port, controllerPort } = ports[i]!;
    writeFileSync(join(dir, 'server.properties'), serverProperties({ nodeId: id, port, controllerPort, dataDir, voters, replicationFactor: Math.min(3, size) }));
    const logFile = join(dir, 'broker.log');
    writeFileSync(join(dir, 'log4j2.yaml'), log4jConfig(logFile));
    return { id, pid: 0, port, controllerPort, address: `127.0.0.1:${port}`, dir, logFile };
  });
  // Formatting is one JVM each: in parallel, like the start.
  await Promise.all(nodes.map((n) => formatStorage(jars, join(n.dir, 'server.properties'), clusterId)));
  const started = Date.now();
  for (const node of nodes) node.pid = spawnKafka({ jars, dir: node.dir, heapMb });
  const state: ClusterState = {
    clusterId, version, heapMb, nodes, brokers: nodes.map((n) => n.address).join(','),
    startedAt: new Date(started).toISOString(), startupMs: 0,
  };
  writeClusterState(opts.stateDir, state);
  try {
    await waitForCluster(state, readyTimeoutMs);
  } catch (err) {
    await Promise.all(nodes.map((n) => terminate(n.pid, 5_000)));
    rmSync(stateFile(opts.stateDir), { force: true });
    throw err;
  }
  state.startupMs = Date.now() - started;
  writeClusterState(opts.stateDir, state);
  return state;
}

/**
 * Starts node `id` again from its folder (same ports, same data) when it is not running; resolves when it answers
 * admin requests on its own address. Records the new pid in cluster.json.
 */
export async function startNode(stateDir: string, id: number, readyTimeoutMs = 90_000): Promise<ClusterNode> {
  const state = readClusterState(stateDir);
  const node = state?.nodes.find((n) => n.id === id);
  if (!state || !node) throw new Error(`no node ${id} in ${stateFile(stateDir)}`);
  if (!isAlive(node.pid)) {
    const { dir: jars } = await ensureKafkaJars();
    node.pid = spawnKafka({ jars, dir: node.dir, heapMb: state.heapMb });
    writeClusterState(stateDir, state);
  }
  const deadline = Date.now() + readyTimeoutMs;
  while (!(await brokerAnswers(node.address))) {
    if (!isAlive(node.pid)) throw new Error(`node ${id} exited during start-up; see ${node.logFile}`);
    if (Date.now() > deadline) throw new Error(`node ${id} did not answer within ${readyTimeoutMs / 1000} s; see ${node.logFile}`);
    await sleep(250);
  }
  return node;
}

/** Stops every node (SIGTERM, then SIGKILL after `graceMs`) in parallel and forgets the cluster. */
export async function stopCluster(stateDir: string, graceMs = 20_000): Promise<boolean> {
  const state = readClusterState(stateDir);
  if (!state) return false;
  const wasAlive = state.nodes.some((n) => isAlive(n.pid));
  await Promise.all(state.nodes.map((n) => terminate(n.pid, graceMs)));
  rmSync(stateFile(stateDir), { force: true });
  return wasAlive;
}

/** Every node answers on its own address. */
async function waitForCluster(state: ClusterState, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(state.nodes);
  while (pending.size > 0) {
    for (const node of [...pending]) {
      if (!isAlive(node.pid)) throw new Error(`node ${node.id} exited during start-up; see ${node.logFile}`);
      if (await isPortOpen(node.port) && await brokerAnswers(node.address)) pending.delete(node);
    }
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`node(s) ${[...pending].map((n) => n.id).join(', ')} did not answer within ${timeoutMs / 1000} s; see ${[...pending][0]!.logFile}`);
    }
    await sleep(250);
  }
}
