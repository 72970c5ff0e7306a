import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { runCli } from '../../helpers/cli.js';
import { uniqueName } from '../../helpers/env.js';
import { CLIENT_KEY_PASSWORD, SASL_USERS, startSecureBroker, type SecureBroker } from '../../helpers/secure-broker.js';

const DAY = 86_400_000;
/** One partition per topic: the secured listeners are what is tested here, not the plan. */
const SMALL = ['urls', 'pages', 'extractions', 'errors', 'dlq', 'metrics', 'dlq.parked'].flatMap((t) => ['--partitions', `${t}=1`]);

let broker: SecureBroker;
beforeAll(async () => { broker = await startSecureBroker(); }, 180_000);
afterAll(async () => { await broker?.stop(); });

function cli(listener: keyof Pick<SecureBroker, 'saslPlaintext' | 'ssl' | 'saslSsl'>, props: Record<string, string>, prefix: string, args: string[]) {
  const x = Object.entries(props).flatMap(([k, v]) => ['-X', `${k}=${v}`]);
  return runCli(['--brokers', broker[listener], '--topic-prefix', prefix, ...x, 'topics', ...args], { timeoutMs: 60_000 });
}

type Info = { topic: string; retentionMs: number | null; compression: string | null };

describe('kscrape topics on secured listeners (real broker: SASL PLAIN/SCRAM, TLS with client certificates)', () => {
  const cases: [string, 'saslPlaintext' | 'ssl' | 'saslSsl', () => Record<string, string>][] = [
    ['SASL_PLAINTEXT PLAIN', 'saslPlaintext', () => ({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': SASL_USERS.alice })],
    ['SASL_PLAINTEXT SCRAM-SHA-256', 'saslPlaintext', () => ({ 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism': 'SCRAM-SHA-256', 'sasl.username': 'alice', 'sasl.password': SASL_USERS.alice })],
    ['SASL_SSL SCRAM-SHA-512 with a CA file', 'saslSsl', () => ({
      'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'admin', 'sasl.password': SASL_USERS.admin, 'ssl.ca.location': broker.caFile,
    })],
    ['SSL with a client certificate and an encrypted key', 'ssl', () => ({
      'security.protocol': 'ssl', 'ssl.ca.location': broker.caFile, 'ssl.certificate.location': broker.clientCertFile,
      'ssl.key.location': broker.clientKeyFile, 'ssl.key.password': CLIENT_KEY_PASSWORD,
    })],
  ];

  test.each(cases)('%s: configs are read, a retention mismatch exits 1, --fix repairs it; no secret printed', async (_name, listener, propsOf) => {
    const props = propsOf();
    const prefix = `${uniqueName('sec')}.`;
    const secrets = [SASL_USERS.alice, SASL_USERS.admin, CLIENT_KEY_PASSWORD];
    const outputs: string[] = [];
    const call = async (args: string[]) => {
      const r = await cli(listener, props, prefix, args);
      outputs.push(r.stdout, r.stderr);
      return r;
    };

    expect(await call(['create', ...SMALL])).toMatchObject({ code: 0, stderr: '' });
    const described = await call(['describe', 'urls', 'dlq', '--json']);
    expect(described).toMatchObject({ code: 0, stderr: '' });
    expect((JSON.parse(described.stdout) as Info[]).map((i) => [i.retentionMs, i.compression])).toEqual([[7 * DAY, 'lz4'], [30 * DAY, 'lz4']]);

    const mismatch = await call(['create', ...SMALL, '--retention', 'urls=2d']);
    expect(mismatch.code).toBe(1);
    expect(mismatch.stdout).toContain('retention.ms: want 2.0d, have 7.0d (run with --fix)');
    expect(await call(['create', ...SMALL, '--retention', 'urls=2d', '--fix'])).toMatchObject({ code: 0, stderr: '' });
    const after = await call(['describe', 'urls', '--json']);
    expect((JSON.parse(after.stdout) as Info[])[0]).toMatchObject({ retentionMs: 2 * DAY, compression: 'lz4' });

    for (const text of outputs) for (const secret of secrets) expect(text).not.toContain(secret);
  });

  test('OAUTHBEARER (a token librdkafka makes itself): topics still work, configs shown as not verified with one warning', async () => {
    const prefix = `${uniqueName('oauth')}.`;
    const props = { 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'OAUTHBEARER', 'enable.sasl.oauthbearer.unsecure.jwt': 'true', 'sasl.oauthbearer.config': 'principal=alice' };
    const created = await cli('saslPlaintext', props, prefix, ['create', ...SMALL]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/created +\S+urls +1 partitions/);
    const again = await cli('saslPlaintext', props, prefix, ['create', ...SMALL]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('configs of the 7 existing topic(s) not verified');
    expect(again.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^kscrape: warning: topic configs cannot be read with this Kafka configuration: sasl.mechanism OAUTHBEARER .*shown as not verified$/)]);
    const list = await cli('saslPlaintext', props, prefix, ['list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^\S+urls\t1\t1\tn\/a\*\tn\/a\*\t0\tn\/a\*\tok$/m);
    // --fix can still add partitions, which the librdkafka client does.
    const fixed = await cli('saslPlaintext', props, prefix, ['create', ...SMALL, '--partitions', 'urls=2', '--fix']);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/fixed +\S+urls +2 partitions/);
  });
});
