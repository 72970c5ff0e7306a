/**
 * A private single-node broker for scenarios that stop the broker and start it AGAIN WITH ITS DATA (the stack's
 * startBroker always starts from an empty data folder): stop() ends the JVM (SIGTERM, or SIGKILL with
 * `{ kill: true }`), start() runs it again from the same folder on the same ports, so clients reconnect to the
 * address they know and every topic, offset and committed group position is still there. Never the suite's broker.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brokerAnswers, startBroker } from '../../scripts/stack/broker.js';
import { ensureKafkaJars } from '../../scripts/stack/kafka-jars.js';
import { isAlive, sleep, terminate } from '../../scripts/stack/ports.js';

export interface RestartableBroker {
  brokers: string;
  stateDir: string;
  /** Ends the broker process; its data stays. */
  stop(opts?: { kill?: boolean }): Promise<void>;
  /** Starts it again on the same ports with the same data; resolves when it answers admin requests. */
  start(): Promise<void>;
  /** Stops it for good and removes its folder. */
  destroy(): Promise<void>;
}

export async function startRestartableBroker(heapMb = 384): Promise<RestartableBroker> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kscrape-chaos-broker-'));
  const first = await startBroker({ stateDir, freePorts: true, heapMb });
  let pid: number | undefined = first.pid;
  const stop = async ({ kill = false } = {}) => {
    const p = pid;
    pid = undefined;
    if (p === undefined) return;
    if (kill) {
      try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
      while (isAlive(p)) await sleep(50);
    } else {
      await terminate(p, 20_000);
    }
  };
  const start = async () => {
    if (pid !== undefined) return;
    const { dir: jars } = await ensureKafkaJars();
    const out = openSync(join(stateDir, 'broker.stdout'), 'a');
    const child = spawn('java', [
      `-Xms${Math.min(256, heapMb)}m`, `-Xmx${heapMb}m`, '-XX:+UseG1GC', '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${join(stateDir, 'log4j2.yaml')}`, `-Dkafka.logs.dir=${stateDir}`,
      '-cp', `${jars}/*`, 'kafka.Kafka', join(stateDir, 'server.properties'),
    ], { detached: true, stdio: ['ignore', out, out] });
    closeSync(out);
    child.unref();
    pid = child.pid;
    const deadline = Date.now() + 90_000;
    while (!(await brokerAnswers(first.brokers))) {
      if (pid === undefined || !isAlive(pid) || Date.now() > deadline) throw new Error(`the restarted broker did not answer; see ${first.logFile}`);
      await sleep(250);
    }
  };
  const destroy = async () => {
    await stop();
    // Not stopBroker(): its state file names the FIRST pid, which may belong to someone else by now.
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { brokers: first.brokers, stateDir, stop, start, destroy };
}
