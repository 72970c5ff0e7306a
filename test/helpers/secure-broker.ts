/**
 * A second, short-lived single-node Kafka broker with secured listeners on loopback, for tests of how kscrape's
 * clients carry security settings: SASL_PLAINTEXT and SASL_SSL (PLAIN, SCRAM-SHA-256/512, OAUTHBEARER with
 * Kafka's unsecured JWT validator) and SSL with required client certificates. Certificates come from openssl
 * (a CA, a server certificate for 127.0.0.1, a client certificate whose key is encrypted). No authorizer: a
 * client that authenticates may do anything. Stop it with `stop()`.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ensureKafkaJars } from '../../scripts/stack/kafka-jars.js';
import { brokerAnswers } from '../../scripts/stack/broker.js';
import { freePort, isAlive, sleep, terminate } from '../../scripts/stack/ports.js';

const run = promisify(execFile);

export const SASL_USERS = { alice: 'alice-secret-pw', admin: 'admin-secret-pw' } as const;
export const CLIENT_KEY_PASSWORD = 'client-key-pw';

export interface SecureBroker {
  plaintext: string;
  saslPlaintext: string;
  ssl: string;
  saslSsl: string;
  /** PEM files for clients. */
  caFile: string;
  clientCertFile: string;
  /** Encrypted with CLIENT_KEY_PASSWORD. */
  clientKeyFile: string;
  stop(): Promise<void>;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  await run('openssl', args, { cwd: dir });
}

async function makeCertificates(dir: string): Promise<void> {
  await openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=kscrape-test-ca']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(dir, ['genpkey', '-algorithm', 'RSA', '-out', 'server.key']);
  await openssl(dir, ['req', '-new', '-key', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  await openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'server.ext']);
  writeFileSync(join(dir, 'server-keystore.pem'), readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.pem'), 'utf8'));
  await openssl(dir, ['genpkey', '-algorithm', 'RSA', '-aes-256-cbc', '-pass', `pass:${CLIENT_KEY_PASSWORD}`, '-out', 'client.key']);
  await openssl(dir, ['req', '-new', '-key', 'client.key', '-passin', `pass:${CLIENT_KEY_PASSWORD}`, '-out', 'client.csr', '-subj', '/CN=kscrape-client']);
  await openssl(dir, ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.pem', '-days', '2']);
}

function jaas(listener: string): string {
  const users = Object.entries(SASL_USERS).map(([u, p]) => `user_${u}="${p}"`).join(' ');
  return [
    `listener.name.${listener}.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="${SASL_USERS.admin}" ${users};`,
    `listener.name.${listener}.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `listener.name.${listener}.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;`,
    `listener.name.${listener}.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;`,
  ].join('\n');
}

export async function startSecureBroker(): Promise<SecureBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'kscrape-secure-broker-'));
  await makeCertificates(dir);
  const [p0, p1, p2, p3, pc] = [await freePort(), await freePort(), await freePort(), await freePort(), await freePort()];
  const props = join(dir, 'server.properties');
  writeFileSync(props, `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${pc}
listeners=PLAINTEXT://127.0.0.1:${p0},SASL_PLAINTEXT://127.0.0.1:${p1},SSL://127.0.0.1:${p2},SASL_SSL://127.0.0.1:${p3},CONTROLLER://127.0.0.1:${pc}
advertised.listeners=PLAINTEXT://127.0.0.1:${p0},SASL_PLAINTEXT://127.0.0.1:${p1},SSL://127.0.0.1:${p2},SASL_SSL://127.0.0.1:${p3}
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,SASL_SSL:SASL_SSL
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512,OAUTHBEARER
${jaas('sasl_plaintext')}
${jaas('sasl_ssl')}
ssl.keystore.type=PEM
ssl.keystore.location=${join(dir, 'server-keystore.pem')}
ssl.truststore.type=PEM
ssl.truststore.location=${join(dir, 'ca.pem')}
listener.name.ssl.ssl.client.auth=required
log.dirs=${join(dir, 'data')}
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
`);
  const log4j = join(dir, 'log4j2.yaml');
  writeFileSync(log4j, `Configuration:\n  Appenders:\n    File:\n      name: file\n      fileName: "${join(dir, 'broker.log')}"\n      PatternLayout:\n        pattern: "[%d] %p %m (%c)%n"\n  Loggers:\n    Root:\n      level: INFO\n      AppenderRef:\n        - ref: file\n`);
  const { dir: jars } = await ensureKafkaJars();
  const cp = `${jars}/*`;
  const { stdout: clusterId } = await run('java', ['-cp', cp, 'kafka.tools.StorageTool', 'random-uuid']);
  const scram = Object.entries(SASL_USERS).flatMap(([name, password]) => ['SCRAM-SHA-256', 'SCRAM-SHA-512'].flatMap((m) => ['--add-scram', `${m}=[name=${name},password=${password}]`]));
  await run('java', ['-cp', cp, 'kafka.tools.StorageTool', 'format', '-t', clusterId.trim().split('\n').pop()!.trim(), '-c', props, ...scram]);

  const out = openSync(join(dir, 'broker.stdout'), 'a');
  const child = spawn('java', ['-Xms128m', '-Xmx384m', `-Dlog4j2.configurationFile=${log4j}`, `-Dkafka.logs.dir=${dir}`, '-cp', cp, 'kafka.Kafka', props],
    { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  const pid = child.pid!;
  const stop = async () => {
    await terminate(pid, 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 90_000;
  while (!(await brokerAnswers(`127.0.0.1:${p0}`))) {
    if (!isAlive(pid) || Date.now() > deadline) {
      const tail = readFileSync(join(dir, 'broker.log'), 'utf8').split('\n').filter((l) => /ERROR|Exception/.test(l)).slice(0, 5).join('\n');
      await stop();
      throw new Error(`the secure test broker did not start:\n${tail}`);
    }
    await sleep(250);
  }
  return {
    plaintext: `127.0.0.1:${p0}`, saslPlaintext: `127.0.0.1:${p1}`, ssl: `127.0.0.1:${p2}`, saslSsl: `127.0.0.1:${p3}`,
    caFile: join(dir, 'ca.pem'), clientCertFile: join(dir, 'client.pem'), clientKeyFile: join(dir, 'client.key'), stop,
  };
}
