/**
 * A private 3-node Kafka cluster for one test file (its own folder and free ports; never the suite's broker), and
 * the chaos a test does to it: stop (SIGTERM), kill (SIGKILL), freeze (SIGSTOP) / thaw (SIGCONT) and restart one
 * node by id, and where things live: the leader of a partition, the coordinator of a group or a transactional id.
 *
 * Where things live is asked the way a client asks (Metadata and FindCoordinator requests, @platformatic/kafka's
 * admin: librdkafka's binding has no FindCoordinator), of the nodes that run and are not frozen.
 *
 *   const cluster = await startTestCluster();
 *   afterAll(() => cluster.destroy());
 *   const leader = await cluster.leaderOf(topic, 0);
 *   await cluster.kill(leader); ...; await cluster.restart(leader);
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { Admin as WireAdmin, FindCoordinatorKeyTypes } from '@platformatic/kafka';
import { readClusterState, startCluster, startNode, stopCluster, type ClusterNode } from '../../scripts/stack/cluster.js';
import { isAlive, sleep, terminate } from '../../scripts/stack/ports.js';
import { withAdmin } from './kafka.js';

export type NodeId = number;

export interface TestCluster {
  /** Bootstrap list of every node: `127.0.0.1:p1,127.0.0.1:p2,127.0.0.1:p3`. */
  brokers: string;
  stateDir: string;
  nodeIds: NodeId[];
  /** Time the cluster took to be ready (every node answering). */
  startupMs: number;
  /** `127.0.0.1:<port>` of one node. */
  addressOf(id: NodeId): string;
  pidOf(id: NodeId): number;
  /** Ends the node with SIGTERM (a controlled shutdown: it hands its leaderships over first) and waits for it. */
  stop(id: NodeId): Promise<void>;
  /** Ends the node with SIGKILL (a crash: no controlled shutdown) and waits until the process is gone. */
  kill(id: NodeId): Promise<void>;
  /** SIGSTOP: the process stays, its sockets stay open, nothing answers (the gray failure). */
  freeze(id: NodeId): void;
  /** SIGCONT after freeze. */
  thaw(id: NodeId): void;
  /** Starts a stopped or killed node again from its folder (same id, ports, data); resolves when it answers. */
  restart(id: NodeId): Promise<void>;
  /** The nodes whose process runs and is not frozen. */
  upNodes(): NodeId[];
  /** The leader of a partition, as the metadata of a node that is up reports it (-1: no leader). */
  leaderOf(topic: string, partition: number): Promise<NodeId>;
  /** Leader, replicas and in-sync replicas of every partition of a topic, by partition. */
  partitionsOf(topic: string): Promise<{ partition: number; leader: NodeId; replicas: NodeId[]; isr: NodeId[] }[]>;
  /** Leaders of every partition of a topic, by partition. */
  leadersOf(topic: string): Promise<NodeId[]>;
  /** The node coordinating a consumer group (FindCoordinator, key type GROUP). */
  groupCoordinator(groupId: string): Promise<NodeId>;
  /** The node coordinating a transactional id (FindCoordinator, key type TRANSACTION). */
  transactionCoordinator(transactionalId: string): Promise<NodeId>;
  /** Broker ids the metadata lists (a dead broker drops out once the controller fenced it). */
  listedBrokers(): Promise<NodeId[]>;
  /** Waits until every partition of `topics` has its full replica set in sync (after a restart). */
  waitFullyReplicated(topics: string[], timeoutMs?: number): Promise<void>;
  /** Stops every node and removes the folder. */
  destroy(): Promise<void>;
}

export interface StartTestClusterOptions {
  size?: number;
  /** JVM heap per node. Default 384 MB. */
  heapMb?: number;
}

/** Long versions of the cluster scenarios run with KSCRAPE_TEST_LONG=1 (CI runs the short ones). */
export const longClusterRuns = () => process.env.KSCRAPE_TEST_LONG === '1';

export async function startTestCluster(opts: StartTestClusterOptions = {}): Promise<TestCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kscrape-cluster-'));
  const state = await startCluster({ stateDir, freePorts: true, size: opts.size ?? 3, heapMb: opts.heapMb ?? 384 });
  const frozen = new Set<NodeId>();
  const nodeOf = (id: NodeId): ClusterNode => {
    const node = readClusterState(stateDir)?.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id} in the test cluster (nodes ${state.nodes.map((n) => n.id).join(', ')})`);
    return node;
  };
  const upNodes = () => state.nodes.map((n) => n.id).filter((id) => !frozen.has(id) && isAlive(nodeOf(id).pid));

  /** An admin connected to the nodes that are up only, so a question never waits on a dead or frozen node. */
  const withWireAdmin = async <T>(fn: (admin: WireAdmin) => Promise<T>): Promise<T> => {
    const up = upNodes();
    if (up.length === 0) throw new Error('no node of the test cluster is up');
    const admin = new WireAdmin({
      clientId: 'kscrape-test-cluster', bootstrapBrokers: up.map((id) => nodeOf(id).address),
      timeout: 5_000, connectTimeout: 3_000, requestTimeout: 5_000, retries: 3, retryDelay: 300,
    });
    try {
      return await fn(admin);
    } finally {
      await admin.close().catch(() => undefined);
    }
  };
  const metadata = (topics: string[]) => withWireAdmin((admin) => admin.metadata({ topics, forceUpdate: true }));
  const findCoordinator = async (keyType: 0 | 1, key: string): Promise<NodeId> => {
    // A coordinator that just moved (or is loading) answers COORDINATOR_NOT_AVAILABLE for a moment: ask again.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const [found] = await withWireAdmin((admin) => admin.findCoordinator({ keyType, keys: [key] }));
        if (found && found.nodeId >= 0) return found.nodeId;
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      if (Date.now() > deadline) throw new Error(`no coordinator for '${key}' within 30 s`);
      await sleep(300);
    }
  };
  /** Partitions of `topics` from librdkafka's admin (it, unlike the wire admin, also describes internal topics). */
  // Right after a kill, the client may still send the request to the dead node (it learnt every node from the
  // metadata) and time out: ask again, within a bound.
  const partitionsOf = async (topics: string[]) => {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const up = upNodes();
      if (up.length === 0) throw new Error('no node of the test cluster is up');
      try {
        return await withAdmin((admin) => admin.fetchTopicMetadata({ topics, timeout: 5_000 }), up.map((id) => nodeOf(id).address).join(','));
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await sleep(500);
      }
    }
  };
  const leadersOf = async (topic: string): Promise<NodeId[]> => {
    const [t] = await partitionsOf([topic]);
    if (!t) throw new Error(`topic ${topic} is not in the cluster's metadata`);
    return [...t.partitions].sort((a, b) => a.partitionId - b.partitionId).map((p) => p.leader);
  };

  return {
    brokers: state.brokers,
    stateDir,
    nodeIds: state.nodes.map((n) => n.id),
    startupMs: state.startupMs,
    addressOf: (id) => nodeOf(id).address,
    pidOf: (id) => nodeOf(id).pid,
    async stop(id) {
      const { pid } = nodeOf(id);
      if (frozen.delete(id)) process.kill(pid, 'SIGCONT');
      await terminate(pid, 30_000);
    },
    async kill(id) {
      const { pid } = nodeOf(id);
      frozen.delete(id);
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
      while (isAlive(pid)) await sleep(50);
    },
    freeze(id) {
      process.kill(nodeOf(id).pid, 'SIGSTOP');
      frozen.add(id);
    },
    thaw(id) {
      process.kill(nodeOf(id).pid, 'SIGCONT');
      frozen.delete(id);
    },
    async restart(id) {
      await startNode(stateDir, id);
    },
    upNodes,
    leadersOf,
    async partitionsOf(topic) {
      const [t] = await partitionsOf([topic]);
      if (!t) throw new Error(`topic ${topic} is not in the cluster's metadata`);
      return t.partitions.map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: p.replicas, isr: p.isr }))
        .sort((a, b) => a.partition - b.partition);
    },
    async leaderOf(topic, partition) {
      const leaders = await leadersOf(topic);
      const leader = leaders[partition];
      if (leader === undefined) throw new Error(`topic ${topic} has no partition ${partition}`);
      return leader;
    },
    groupCoordinator: (groupId) => findCoordinator(FindCoordinatorKeyTypes.GROUP, groupId),
    transactionCoordinator: (transactionalId) => findCoordinator(FindCoordinatorKeyTypes.TRANSACTION, transactionalId),
    async listedBrokers() {
      const meta = await metadata([]);
      return [...meta.brokers.keys()].sort((a, b) => a - b);
    },
    async waitFullyReplicated(topics, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const meta = await partitionsOf(topics).catch(() => undefined);
        const lagging = meta?.flatMap((t) => t.partitions.map((p) => ({ t: t.name, p })))
          .filter(({ p }) => p.leader < 0 || p.isr.length < p.replicas.length);
        if (lagging && lagging.length === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`not fully replicated within ${timeoutMs / 1000} s: ${lagging ? lagging.map(({ t, p }) => `${t}[${p.partitionId}]`).join(', ') : 'no metadata'}`);
        }
        await sleep(500);
      }
    },
    async destroy() {
      for (const id of frozen) { try { process.kill(nodeOf(id).pid, 'SIGCONT'); } catch { /* gone */ } }
      frozen.clear();
      await stopCluster(stateDir, 10_000);
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * True when no transaction is open on `topic`: every partition's last stable offset (read_committed) is its high
 * watermark. After a broker outage, a producer's last transaction may stay open until the broker aborts it itself
 * (transaction.timeout.ms, then its cleanup interval); read_committed readers (audits, workers) wait behind it.
 */
export async function noOpenTransaction(brokers: string, topic: string): Promise<boolean> {
  return withAdmin(async (admin) => {
    const [stable, high] = await Promise.all([
      admin.fetchTopicOffsets(topic, { isolationLevel: KafkaJS.IsolationLevel.READ_COMMITTED }), admin.fetchTopicOffsets(topic),
    ]);
    return stable.every((s) => high.some((h) => h.partition === s.partition && h.high === s.high));
  }, brokers);
}
