/**
 * The local stack for development, tests and the demo: one Kafka broker (KRaft) and Redis, or with `--brokers 3` a
 * 3-node KRaft cluster (replication 3, min ISR 2 on the internal topics: the production topology) and Redis.
 *
 *   npm run stack -- up [--free-ports] [--port N] [--brokers 1|3]   start (or reuse) and print the environment to use
 *   npm run stack -- status                          what runs (each node), and whether it answers
 *   npm run stack -- down                            stop what the stack started
 *   npm run stack -- env                             print `export KSCRAPE_...` lines for eval
 *
 * State lives in $KSCRAPE_STACK_DIR (default ./.stack); the Kafka jars are cached in ~/.cache/kscrape.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { brokerAnswers, readBrokerState, startBroker, stopBroker } from './stack/broker.js';
import { readClusterState, startCluster, stopCluster } from './stack/cluster.js';
import { ensureRedis, readRedisState, redisAnswers, stopRedis } from './stack/redis.js';
import { isAlive } from './stack/ports.js';

const stateDir = resolve(process.env.KSCRAPE_STACK_DIR ?? '.stack');
const [command = 'status', ...args] = process.argv.slice(2);
const log = (line: string) => process.stderr.write(`stack: ${line}\n`);

function flagValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function envLines(): string[] {
  const kafka = readClusterState(stateDir) ?? readBrokerState(stateDir);
  const redis = readRedisState(stateDir);
  return [
    ...(kafka ? [`export KSCRAPE_BROKERS=${kafka.brokers}`] : []),
    ...(redis ? [`export KSCRAPE_REDIS_URL=${redis.url}`] : []),
  ];
}

async function main(): Promise<number> {
  mkdirSync(stateDir, { recursive: true });
  switch (command) {
    case 'up': {
      const t0 = Date.now();
      const port = flagValue('--port');
      const size = Number(flagValue('--brokers') ?? '1');
      if (!Number.isInteger(size) || size < 1 || size > 5) throw new Error(`--brokers must be a whole number from 1 to 5, got '${flagValue('--brokers') ?? ''}'`);
      const runningSize = readClusterState(stateDir) ? 'a cluster' : readBrokerState(stateDir) ? 'a single broker' : undefined;
      if (runningSize && (runningSize === 'a cluster') !== size > 1) throw new Error(`${runningSize} already runs from ${stateDir}; run \`npm run stack -- down\` first`);
      const common = { stateDir, freePorts: args.includes('--free-ports'), ...(port ? { port: Number(port) } : {}), log };
      if (size > 1) {
        const cluster = await startCluster({ ...common, size });
        for (const n of cluster.nodes) log(`Kafka node ${n.id} at ${n.address} (pid ${n.pid}, log ${n.logFile})`);
        log(`Kafka ${cluster.version} cluster of ${size} nodes ready in ${(cluster.startupMs / 1000).toFixed(1)} s`);
      } else {
        const broker = await startBroker(common);
        log(`Kafka ${broker.version} at ${broker.brokers} (pid ${broker.pid}, ready in ${(broker.startupMs / 1000).toFixed(1)} s, log ${broker.logFile})`);
      }
      const redis = await ensureRedis({ stateDir, ...(process.env.KSCRAPE_REDIS_URL ? { url: process.env.KSCRAPE_REDIS_URL } : {}), log });
      log(`Redis at ${redis.url}${redis.pid ? ` (started, pid ${redis.pid})` : ' (already running)'}`);
      log(`stack up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      process.stdout.write(`${envLines().join('\n')}\n`);
      return 0;
    }
    case 'env':
      process.stdout.write(`${envLines().join('\n')}\n`);
      return 0;
    case 'status': {
      const broker = readBrokerState(stateDir);
      const cluster = readClusterState(stateDir);
      const redis = readRedisState(stateDir);
      let brokerUp = broker ? isAlive(broker.pid) && (await brokerAnswers(broker.brokers)) : false;
      const redisUp = redis ? await redisAnswers(redis.url) : false;
      if (cluster) {
        brokerUp = true;
        for (const n of cluster.nodes) {
          const up = isAlive(n.pid) && (await brokerAnswers(n.address));
          brokerUp &&= up;
          process.stdout.write(`kafka  node ${n.id} ${n.address} pid ${n.pid} ${up ? 'up' : 'DOWN'}\n`);
        }
      } else {
        process.stdout.write(`kafka  ${broker ? `${broker.brokers} pid ${broker.pid} ${brokerUp ? 'up' : 'DOWN'}` : 'not started'}\n`);
      }
      process.stdout.write(`redis  ${redis ? `${redis.url} ${redisUp ? 'up' : 'DOWN'}${redis.pid ? '' : ' (reused; down leaves it running)'}` : 'not started'}\n`);
      // 1 when something the stack started or reuses does not answer; what is not started (after down) is not down.
      return ((broker || cluster) && !brokerUp) || (redis && !redisUp) ? 1 : 0;
    }
    case 'down': {
      const [single, nodes] = await Promise.all([stopBroker(stateDir), stopCluster(stateDir)]);
      const stoppedBroker = single || nodes;
      const stoppedRedis = await stopRedis(stateDir);
      log(`kafka ${stoppedBroker ? 'stopped' : 'was not running'}; redis ${stoppedRedis ? 'stopped' : 'left as it was'}`);
      return 0;
    }
    default:
      process.stderr.write(`stack: unknown command '${command}' (up, status, down, env)\n`);
      return 2;
  }
}

main().then((code) => { process.exitCode = code; }, (err: Error) => {
  process.stderr.write(`stack: ${err.message}\n`);
  process.exitCode = 1;
});
