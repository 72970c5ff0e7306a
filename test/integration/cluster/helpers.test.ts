/**
 * The 3-node test cluster and its chaos helpers: every helper does what it says on a real cluster (Apache's jars),
 * so the scenarios built on them (tests of produce, work, dlq, lag and check on a cluster) can trust them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { brokerAnswers } from '../../../scripts/stack/broker.js';
import { readClusterState } from '../../../scripts/stack/cluster.js';
import { isAlive, sleep } from '../../../scripts/stack/ports.js';
import { startTestCluster, type TestCluster } from '../../helpers/cluster.js';
import { readBack, withAdmin } from '../../helpers/kafka.js';
import { uniqueName } from '../../helpers/env.js';
import { createProducer } from '../../../src/kafka/index.js';
import { createLogger } from '../../../src/log.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startTestCluster();
}, 180_000);
afterAll(async () => {
  await cluster?.destroy();
}, 60_000);

describe('a 3-node test cluster', () => {
  test('three nodes answer and the metadata lists all three', async () => {
    expect(cluster.nodeIds).toEqual([1, 2, 3]);
    expect(cluster.brokers.split(',')).toHaveLength(3);
    for (const id of cluster.nodeIds) expect(await brokerAnswers(cluster.addressOf(id))).toBe(true);
    expect(await cluster.listedBrokers()).toEqual([1, 2, 3]);
    const state = readClusterState(cluster.stateDir);
    expect(state?.nodes.map((n) => n.pid)).toEqual(cluster.nodeIds.map((id) => cluster.pidOf(id)));
    process.stderr.write(`test cluster ready in ${(cluster.startupMs / 1000).toFixed(1)} s\n`);
  });

  test('leaderOf, groupCoordinator and transactionCoordinator name nodes of the cluster; killing a leader moves it; restart brings the node back', async () => {
    const topic = uniqueName('cluster-helpers');
    await withAdmin((admin) => admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 3 }] }), cluster.brokers);
    const leaders = await cluster.leadersOf(topic);
    expect(leaders).toHaveLength(6);
    for (const l of leaders) expect(cluster.nodeIds).toContain(l);

    // Cross-checked against Kafka's rule: the coordinator leads partition abs(javaHash(key)) % partitions of the
    // internal topic (10 offsets partitions, 5 transaction-state ones in the stack's server.properties).
    const group = uniqueName('cluster-group');
    const groupCoordinator = await cluster.groupCoordinator(group);
    expect(cluster.nodeIds).toContain(groupCoordinator);
    await readBack(topic, 1, 1_000, { 'group.id': group }, cluster.brokers); // makes __consumer_offsets exist
    expect(await cluster.leaderOf('__consumer_offsets', javaHashAbs(group) % 10)).toBe(await cluster.groupCoordinator(group));
    for (const p of await cluster.partitionsOf('__consumer_offsets')) expect([...p.replicas].sort()).toEqual([1, 2, 3]);
    const txnId = uniqueName('cluster-txn');
    const producer = createProducer({ config: { 'bootstrap.servers': cluster.brokers }, logger: createLogger({ level: 'quiet' }) },
      { 'transactional.id': txnId, 'enable.idempotence': true, acks: -1 } as never);
    await producer.connect();
    await producer.disconnect();
    const txnCoordinator = await cluster.transactionCoordinator(txnId);
    expect(cluster.nodeIds).toContain(txnCoordinator);
    expect(await cluster.leaderOf('__transaction_state', javaHashAbs(txnId) % 5)).toBe(txnCoordinator);

    const victim = await cluster.leaderOf(topic, 0);
    const oldPid = cluster.pidOf(victim);
    await cluster.kill(victim);
    expect(isAlive(oldPid)).toBe(false);
    expect(cluster.upNodes()).not.toContain(victim);
    // The controller fences the dead broker after broker.session.timeout.ms (9 s) and elects another leader.
    let newLeader = victim;
    for (let i = 0; i < 60 && (newLeader === victim || newLeader < 0); i++) {
      await sleep(500);
      newLeader = await cluster.leaderOf(topic, 0);
    }
    expect(newLeader).not.toBe(victim);
    expect(cluster.upNodes()).toContain(newLeader);

    await cluster.restart(victim);
    expect(cluster.pidOf(victim)).not.toBe(oldPid);
    expect(await brokerAnswers(cluster.addressOf(victim))).toBe(true);
    await cluster.waitFullyReplicated([topic]);
  }, 150_000);

  test('stop ends a node with SIGTERM; freeze keeps the process but it answers nothing until thaw', async () => {
    const [, second, third] = cluster.nodeIds as [number, number, number];
    await cluster.stop(second);
    expect(isAlive(cluster.pidOf(second))).toBe(false);
    await cluster.restart(second);
    expect(await brokerAnswers(cluster.addressOf(second))).toBe(true);

    cluster.freeze(third);
    try {
      expect(isAlive(cluster.pidOf(third))).toBe(true);
      expect(cluster.upNodes()).not.toContain(third);
      expect(await brokerAnswers(cluster.addressOf(third), 1_500)).toBe(false);
    } finally {
      cluster.thaw(third);
    }
    let answers = false;
    for (let i = 0; i < 40 && !answers; i++) answers = await brokerAnswers(cluster.addressOf(third));
    expect(answers).toBe(true);
  }, 150_000);
});

/** Kafka's Utils.abs(String.hashCode()). */
function javaHashAbs(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (Math.imul(31, h) + key.charCodeAt(i)) | 0;
  return h === -2147483648 ? 0 : Math.abs(h);
}
