/**
 * Reads the Java `client.properties` files that Confluent Cloud, MSK and most Kafka tooling hand out,
 * and turns them into librdkafka properties. Java-only settings are dropped (reported, not fatal);
 * `sasl.jaas.config` becomes `sasl.username` / `sasl.password`.
 */
import { readFileSync } from 'node:fs';
import { UserError, errorMessage } from '../errors.js';

/** Parses the java.util.Properties text format: `#`/`!` comments, `=`, `:` or blank separators, `\` continuations and escapes. */
export function parseJavaProperties(text: string): Map<string, string> {
  const props = new Map<string, string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = (lines[i] ?? '').replace(/^[ \t\f]+/, '');
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    while (endsWithContinuation(line) && i + 1 < lines.length) {
      line = line.slice(0, -1) + (lines[++i] ?? '').replace(/^[ \t\f]+/, '');
    }
    if (endsWithContinuation(line)) line = line.slice(0, -1);
    const [rawKey, rawValue] = splitKeyValue(line);
    props.set(unescape(rawKey), unescape(rawValue));
  }
  return props;
}

function endsWithContinuation(line: string): boolean {
  const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
  return trailing % 2 === 1;
}

function splitKeyValue(line: string): [string, string] {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\') { i += 2; continue; }
    if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') break;
    i++;
  }
  const key = line.slice(0, i);
  let rest = line.slice(i).replace(/^[ \t\f]*/, '');
  if (rest.startsWith('=') || rest.startsWith(':')) rest = rest.slice(1).replace(/^[ \t\f]*/, '');
  return [key, rest];
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

/**
 * Keys that only mean something to the Java client (or to Schema Registry) and that librdkafka rejects.
 * They are dropped so a file copied from a cloud console works unchanged.
 */
const JAVA_ONLY_KEYS = new Set([
  'client.dns.lookup',
  'key.serializer', 'value.serializer', 'key.deserializer', 'value.deserializer',
  'buffer.memory', 'max.block.ms', 'default.api.timeout.ms', 'sasl.login.callback.handler.class',
  'sasl.client.callback.handler.class', 'ssl.truststore.type', 'ssl.keystore.type',
]);
const JAVA_ONLY_PREFIXES = ['schema.registry.', 'basic.auth.', 'bearer.auth.', 'auto.register.schemas', 'use.latest.version'];

/** Java names whose librdkafka equivalent has a different spelling. */
const RENAMED_KEYS: Record<string, string> = {
  'sasl.mechanism': 'sasl.mechanisms',
};

export interface ClientPropertiesResult {
  /** librdkafka properties. */
  config: Record<string, string>;
  /** Keys that were present but have no librdkafka meaning; shown with --verbose. */
  dropped: string[];
}

export function clientPropertiesToLibrdkafka(props: Map<string, string>, source = 'client config'): ClientPropertiesResult {
  const config: Record<string, string> = {};
  const dropped: string[] = [];
  for (const [key, value] of props) {
    if (key === 'sasl.jaas.config') {
      Object.assign(config, jaasToSasl(value, source));
    } else if (key === 'ssl.truststore.location' || key === 'ssl.truststore.password') {
      // librdkafka reads PEM CA files, not Java trust stores; the system CA store is used unless ssl.ca.location is set.
      dropped.push(key);
    } else if (JAVA_ONLY_KEYS.has(key) || JAVA_ONLY_PREFIXES.some((p) => key.startsWith(p))) {
      dropped.push(key);
    } else {
      config[RENAMED_KEYS[key] ?? key] = value;
    }
  }
  if (config['sasl.mechanisms']?.toUpperCase() === 'AWS_MSK_IAM') {
    throw new UserError(`${source}: sasl.mechanism=AWS_MSK_IAM needs the Java client; use SASL/SCRAM or OAUTHBEARER with MSK`, 'config.unsupported-mechanism');
  }
  return { config, dropped };
}

/** `...PlainLoginModule required username="u" password="p";` → sasl.username / sasl.password. */
export function jaasToSasl(jaas: string, source = 'client config'): Record<string, string> {
  const module = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b/.exec(jaas)?.[1];
  const option = (name: string) => new RegExp(`\\b${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas)?.[1]?.replace(/\\(.)/g, '$1');
  if (module && /(Plain|Scram)LoginModule$/.test(module)) {
    const username = option('username');
    const password = option('password');
    if (username === undefined || password === undefined) {
      throw new UserError(`${source}: sasl.jaas.config has no username="..." and password="..."`, 'config.invalid-jaas');
    }
    return { 'sasl.username': username, 'sasl.password': password };
  }
  if (module && /OAuthBearerLoginModule$/.test(module)) {
    // Client id/secret come from sasl.oauthbearer.* keys in librdkafka; the JAAS line carries nothing we need.
    return {};
  }
  throw new UserError(`${source}: unsupported sasl.jaas.config login module${module ? ` ${module}` : ''}`, 'config.invalid-jaas');
}

export function readClientProperties(path: string): ClientPropertiesResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read --client-config ${path}: ${errorMessage(err).replace(/^[A-Z]+: /, '')}`, 'config.unreadable', err);
  }
  return clientPropertiesToLibrdkafka(parseJavaProperties(text), path);
}
