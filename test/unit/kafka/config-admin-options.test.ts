import { describe, expect, test } from '@jest/globals';
import { ConfigsUnreadable, configAdminOptions, parseBootstrapServers } from '../../../src/kafka/config-admin-options.js';
import { innermostMessages } from '../../../src/topics/configs.js';
import { UserError } from '../../../src/errors.js';

/** A fake file system: path → contents; anything else is ENOENT, paths ending in / are directories. */
function files(map: Record<string, string>) {
  const read: string[] = [];
  const readFile = (path: string): Buffer => {
    read.push(path);
    if (path.endsWith('/')) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    const body = map[path];
    if (body === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return Buffer.from(body);
  };
  return { readFile, read };
}
const noFiles = files({}).readFile;

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('parseBootstrapServers', () => {
  test('host:port lists, default port, IPv6 brackets, protocol prefixes', () => {
    expect(parseBootstrapServers('k1:9093, k2 ,[::1]:19092,SASL_SSL://k3.example:9094')).toEqual([
      { host: 'k1', port: 9093 }, { host: 'k2', port: 9092 }, { host: '::1', port: 19092 }, { host: 'k3.example', port: 9094 },
    ]);
  });

  test('empty or unparsable lists are refused', () => {
    expect(() => parseBootstrapServers(' , ')).toThrow(ConfigsUnreadable);
    expect(() => parseBootstrapServers('a:b:c')).toThrow(/cannot parse bootstrap server 'a:b:c'/);
  });
});

describe('configAdminOptions', () => {
  test('plaintext: brokers and client id only, no TLS and no SASL', () => {
    expect(configAdminOptions({ 'bootstrap.servers': '127.0.0.1:9092', 'client.id': 'kscrape', 'linger.ms': 10 }, noFiles)).toEqual({
      clientId: 'kscrape', bootstrapBrokers: [{ host: '127.0.0.1', port: 9092 }],
    });
    expect(configAdminOptions({ 'metadata.broker.list': 'k:1', 'security.protocol': 'PLAINTEXT' }, noFiles).clientId).toBe('kscrape');
  });

  test('ssl: CA, client certificate and key read from their files, key password as passphrase', () => {
    const fs = files({ '/ca.pem': 'CA', '/client.pem': 'CERT', '/client.key': 'KEY' });
    const o = configAdminOptions({
      'bootstrap.servers': 'k:9093', 'security.protocol': 'ssl', 'ssl.ca.location': '/ca.pem',
      'ssl.certificate.location': '/client.pem', 'ssl.key.location': '/client.key', 'ssl.key.password': 'key-pass',
    }, fs.readFile);
    expect(o.sasl).toBeUndefined();
    expect({ ...o.tls, ca: String(o.tls!.ca), cert: String(o.tls!.cert), key: String(o.tls!.key) })
      .toEqual({ ca: 'CA', cert: 'CERT', key: 'KEY', passphrase: 'key-pass' });
    expect(fs.read.sort()).toEqual(['/ca.pem', '/client.key', '/client.pem']);
  });

  test('ssl: inline PEMs, PKCS#12 keystore, ciphers/curves/sigalgs/CRL, probe', () => {
    const fs = files({ '/ks.p12': 'P12', '/crl.pem': 'CRL' });
    const o = configAdminOptions({
      'bootstrap.servers': 'k', 'security.protocol': 'SSL', 'ssl.ca.pem': 'INLINE-CA', 'ssl.keystore.location': '/ks.p12',
      'ssl.keystore.password': 'store-pass', 'ssl.crl.location': '/crl.pem', 'ssl.cipher.suites': 'ECDHE-RSA-AES256-GCM-SHA384',
      'ssl.curves.list': 'P-256', 'ssl.sigalgs.list': 'RSA-PSS+SHA256',
    }, fs.readFile);
    expect({ ...o.tls, pfx: String(o.tls!.pfx), crl: String(o.tls!.crl) }).toEqual({
      ca: 'INLINE-CA', pfx: 'P12', passphrase: 'store-pass', crl: 'CRL', ciphers: 'ECDHE-RSA-AES256-GCM-SHA384', ecdhCurve: 'P-256', sigalgs: 'RSA-PSS+SHA256',
    });
    // 'probe' means the system's CAs: Node's own list, nothing read.
    expect(configAdminOptions({ 'bootstrap.servers': 'k', 'security.protocol': 'ssl', 'ssl.ca.location': 'probe' }, noFiles).tls).toEqual({});
  });

  test('ssl: verification off and hostname check off map onto Node TLS', () => {
    const o = configAdminOptions({
      'bootstrap.servers': 'k', 'security.protocol': 'ssl', 'enable.ssl.certificate.verification': 'false', 'ssl.endpoint.identification.algorithm': 'none',
    }, noFiles);
    expect(o.tls!.rejectUnauthorized).toBe(false);
    expect(o.tls!.checkServerIdentity!('k', {} as never)).toBeUndefined();
    const strict = configAdminOptions({ 'bootstrap.servers': 'k', 'security.protocol': 'ssl', 'enable.ssl.certificate.verification': true, 'ssl.endpoint.identification.algorithm': 'https' }, noFiles);
    expect(strict.tls).toEqual({});
  });

  test.each([
    ['PLAIN', 'sasl.mechanisms'], ['SCRAM-SHA-256', 'sasl.mechanisms'], ['scram-sha-512', 'sasl.mechanism'],
  ])('sasl %s (from %s) with username and password; sasl_ssl adds TLS', (mechanism, key) => {
    const o = configAdminOptions({ 'bootstrap.servers': 'k:9094', 'security.protocol': 'sasl_plaintext', [key]: mechanism, 'sasl.username': 'alice', 'sasl.password': 'alice-secret' }, noFiles);
    expect(o).toEqual({ clientId: 'kscrape', bootstrapBrokers: [{ host: 'k', port: 9094 }], sasl: { mechanism: mechanism.toUpperCase(), username: 'alice', password: 'alice-secret' } });
    const tls = configAdminOptions({ 'bootstrap.servers': 'k', 'security.protocol': 'SASL_SSL', [key]: mechanism, 'sasl.username': 'a', 'sasl.password': 'p' }, noFiles);
    expect(tls.tls).toEqual({});
    expect(tls.sasl?.mechanism).toBe(mechanism.toUpperCase());
  });

  test.each([
    [{ 'security.protocol': 'sasl_plaintext' }, /sasl.mechanism GSSAPI/], // librdkafka's default mechanism
    [{ 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'GSSAPI' }, /sasl.mechanism GSSAPI \(supported: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512\)/],
    [{ 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'OAUTHBEARER', 'sasl.oauthbearer.method': 'oidc' }, /OAUTHBEARER \(librdkafka fetches/],
    [{ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'a' }, /needs sasl.username and sasl.password/],
    [{ 'security.protocol': 'ssl', 'ssl.engine.location': '/x.so' }, /ssl.engine.location is an OpenSSL feature/],
    [{ 'security.protocol': 'ssl', 'ssl.providers': 'legacy' }, /ssl.providers/],
    [{ 'security.protocol': 'ssl', 'ssl.ca.location': '/etc/ssl/certs/' }, /ssl.ca.location=\/etc\/ssl\/certs\/ is a directory/],
    [{ 'security.protocol': 'ssl', 'ssl.ca.location': '/missing.pem' }, /cannot read ssl.ca.location=\/missing.pem: ENOENT/],
    [{ 'security.protocol': 'kerberos' }, /security.protocol kerberos/],
  ])('unsupported: %j', (extra, message) => {
    const run = () => configAdminOptions({ 'bootstrap.servers': 'k:9092', ...extra }, noFiles);
    expect(run).toThrow(ConfigsUnreadable);
    expect(run).toThrow(message);
    expect(run).toThrow(/^topic configs cannot be read with this Kafka configuration: /);
    const err = caught(run);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).code).toBe('config.configs-unreadable');
  });

  test('no broker list is refused; refusals never contain the password', () => {
    expect(() => configAdminOptions({}, noFiles)).toThrow(/no bootstrap.servers/);
    const err = caught(() => configAdminOptions({ 'bootstrap.servers': 'k', 'security.protocol': 'sasl_ssl', 'sasl.mechanisms': 'GSSAPI', 'sasl.username': 'u', 'sasl.password': 'hunter2-secret' }, noFiles));
    expect((err as Error).message).toMatch(/GSSAPI/);
    expect((err as Error).message).not.toContain('hunter2-secret');
  });
});

describe('innermostMessages', () => {
  test('the broker reason nested in @platformatic/kafka aggregate errors', () => {
    const leaf = new Error('This server does not host this topic-partition.');
    const err = Object.assign(new Error('Describing configs failed.'), { errors: [Object.assign(new Error('Received response with error'), { errors: [leaf] }), leaf] });
    expect(innermostMessages(err)).toBe('This server does not host this topic-partition.');
    expect(innermostMessages('plain')).toBe('plain');
  });
});
