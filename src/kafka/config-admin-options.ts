/**
 * Maps kscrape's effective librdkafka configuration onto connection options for @platformatic/kafka, the
 * pure-JS client kscrape uses only for what librdkafka's Node binding lacks: DescribeConfigs and
 * IncrementalAlterConfigs on topics (see src/topics/configs.ts). Pure: PEM/PKCS#12 files are read through `readFile`.
 *
 * The same cluster must be reached with the same security as every other kscrape client, so anything this
 * mapping cannot carry over faithfully (GSSAPI, OAUTHBEARER whose token librdkafka fetches itself, OpenSSL
 * engines/providers, a CA directory) is refused with `ConfigsUnreadable` rather than approximated; callers fall
 * back to reporting topic configs as "not verified".
 */
import type { ConnectionOptions as TlsOptions } from 'node:tls';
import { UserError, errorMessage } from '../errors.js';
import type { KafkaConfig } from './config.js';

export type SaslMechanism = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ConfigAdminOptions {
  clientId: string;
  bootstrapBrokers: { host: string; port: number }[];
  tls?: TlsOptions;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

/** Topic configs cannot be read or altered with these settings; the message names the setting. */
export class ConfigsUnreadable extends UserError {
  constructor(reason: string) {
    super(`topic configs cannot be read with this Kafka configuration: ${reason}`, 'config.configs-unreadable');
  }
}

export type ReadFile = (path: string) => Buffer;

const SUPPORTED_MECHANISMS: readonly string[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
/** OpenSSL features Node's TLS has no equivalent for. */
const UNSUPPORTED_SSL_KEYS = ['ssl.engine.location', 'ssl.engine.id', 'ssl_engine_id', 'ssl.providers', 'ssl.certificate.verify_cb'];
const DEFAULT_PORT = 9092;

const text = (config: KafkaConfig, key: string): string | undefined => {
  const v = config[key];
  return v === undefined || v === '' ? undefined : String(v);
};
const isFalse = (v: string | undefined) => v !== undefined && /^(false|0|no|off)$/i.test(v);

/** librdkafka's `bootstrap.servers`: `host:port` (or `[v6]:port`, or `PROTO://host:port`), comma-separated. */
export function parseBootstrapServers(value: string): { host: string; port: number }[] {
  const out: { host: string; port: number }[] = [];
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const entry = raw.replace(/^[a-z_]+:\/\//i, '');
    const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+)(?::(\d+))?$/.exec(entry);
    if (!m) throw new ConfigsUnreadable(`cannot parse bootstrap server '${raw}'`);
    out.push({ host: m[1]!, port: m[2] === undefined ? DEFAULT_PORT : Number(m[2]) });
  }
  if (!out.length) throw new ConfigsUnreadable('bootstrap.servers is empty');
  return out;
}

function readFileFor(readFile: ReadFile, key: string, path: string): Buffer {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ConfigsUnreadable(`${key}=${path} is a directory (give a PEM file)`);
    throw new ConfigsUnreadable(`cannot read ${key}=${path}: ${errorMessage(err)}`);
  }
}

/** A PEM setting given inline (`*.pem`) or as a file (`*.location`). */
function pemOf(config: KafkaConfig, readFile: ReadFile, inlineKey: string, fileKey: string): string | Buffer | undefined {
  const inline = text(config, inlineKey);
  if (inline !== undefined) return inline;
  const path = text(config, fileKey);
  return path === undefined ? undefined : readFileFor(readFile, fileKey, path);
}

function tlsOptions(config: KafkaConfig, readFile: ReadFile): TlsOptions {
  const bad = UNSUPPORTED_SSL_KEYS.find((k) => text(config, k) !== undefined);
  if (bad) throw new ConfigsUnreadable(`${bad} is an OpenSSL feature Node's TLS does not have`);
  const tls: TlsOptions = {};
  const caLocation = text(config, 'ssl.ca.location');
  // 'probe' asks librdkafka to search the system's CA paths; Node's own CA list stands in for it.
  const ca = caLocation === 'probe' ? text(config, 'ssl.ca.pem') : pemOf(config, readFile, 'ssl.ca.pem', 'ssl.ca.location');
  if (ca !== undefined) tls.ca = ca;
  const cert = pemOf(config, readFile, 'ssl.certificate.pem', 'ssl.certificate.location');
  const key = pemOf(config, readFile, 'ssl.key.pem', 'ssl.key.location');
  if (cert !== undefined) tls.cert = cert;
  if (key !== undefined) tls.key = key;
  const keyPassword = text(config, 'ssl.key.password');
  const keystore = text(config, 'ssl.keystore.location');
  if (keystore !== undefined) {
    tls.pfx = readFileFor(readFile, 'ssl.keystore.location', keystore);
    const storePassword = text(config, 'ssl.keystore.password');
    if (storePassword !== undefined) tls.passphrase = storePassword;
  } else if (keyPassword !== undefined) {
    tls.passphrase = keyPassword;
  }
  const crl = text(config, 'ssl.crl.location');
  if (crl !== undefined) tls.crl = readFileFor(readFile, 'ssl.crl.location', crl);
  const ciphers = text(config, 'ssl.cipher.suites');
  if (ciphers !== undefined) tls.ciphers = ciphers;
  const curves = text(config, 'ssl.curves.list');
  if (curves !== undefined) tls.ecdhCurve = curves;
  const sigalgs = text(config, 'ssl.sigalgs.list');
  if (sigalgs !== undefined) tls.sigalgs = sigalgs;
  if (isFalse(text(config, 'enable.ssl.certificate.verification'))) tls.rejectUnauthorized = false;
  const identification = text(config, 'ssl.endpoint.identification.algorithm');
  if (identification !== undefined && identification.toLowerCase() === 'none') tls.checkServerIdentity = () => undefined;
  return tls;
}

function saslOptions(config: KafkaConfig): NonNullable<ConfigAdminOptions['sasl']> {
  // librdkafka's default mechanism is GSSAPI.
  const mechanism = (text(config, 'sasl.mechanisms') ?? text(config, 'sasl.mechanism') ?? 'GSSAPI').toUpperCase();
  if (mechanism === 'OAUTHBEARER') {
    throw new ConfigsUnreadable('sasl.mechanism OAUTHBEARER (librdkafka fetches and refreshes that token itself; the config reader has no way to get it)');
  }
  if (!SUPPORTED_MECHANISMS.includes(mechanism)) {
    throw new ConfigsUnreadable(`sasl.mechanism ${mechanism} (supported: ${SUPPORTED_MECHANISMS.join(', ')})`);
  }
  const username = text(config, 'sasl.username');
  const password = text(config, 'sasl.password');
  if (username === undefined || password === undefined) throw new ConfigsUnreadable(`sasl.mechanism ${mechanism} needs sasl.username and sasl.password`);
  return { mechanism: mechanism as SaslMechanism, username, password };
}

/** The connection options for the config client, or ConfigsUnreadable naming the setting that prevents it. */
export function configAdminOptions(config: KafkaConfig, readFile: ReadFile): ConfigAdminOptions {
  const servers = text(config, 'bootstrap.servers') ?? text(config, 'metadata.broker.list');
  if (servers === undefined) throw new ConfigsUnreadable('no bootstrap.servers');
  const protocol = (text(config, 'security.protocol') ?? 'plaintext').toLowerCase();
  if (!['plaintext', 'ssl', 'sasl_plaintext', 'sasl_ssl'].includes(protocol)) throw new ConfigsUnreadable(`security.protocol ${protocol}`);
  const options: ConfigAdminOptions = {
    clientId: text(config, 'client.id') ?? 'kscrape',
    bootstrapBrokers: parseBootstrapServers(servers),
  };
  if (protocol === 'ssl' || protocol === 'sasl_ssl') options.tls = tlsOptions(config, readFile);
  if (protocol.startsWith('sasl_')) options.sasl = saslOptions(config);
  return options;
}
