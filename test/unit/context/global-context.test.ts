import { afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveGlobalOptions } from '../../../src/context/global-context.js';
import { clearRegisteredSecrets } from '../../../src/redact.js';
import { createLogger } from '../../../src/log.js';

const quiet = createLogger({ level: 'quiet' });
const dir = mkdtempSync(join(tmpdir(), 'kscrape-opts-'));
const file = join(dir, 'client.properties');
writeFileSync(file, 'bootstrap.servers=file:9092\nlinger.ms=77\nacks=1\nsasl.password=from-file-pw\n');

afterEach(() => clearRegisteredSecrets());

describe('global option precedence: flag > env > config file > default', () => {
  test('default when nothing is given', () => {
    const ctx = resolveGlobalOptions({}, {}, quiet);
    expect(ctx.brokers).toEqual({ brokers: '127.0.0.1:9092', source: 'default' });
    expect(ctx.kafkaConfig('producer')['bootstrap.servers']).toBe('127.0.0.1:9092');
    expect(ctx.topic('urls')).toBe('urls');
  });

  test('config file beats the default, env beats the file, the flag beats env', () => {
    expect(resolveGlobalOptions({ clientConfig: file }, {}, quiet).kafkaConfig('producer')['bootstrap.servers']).toBe('file:9092');
    const env = { KSCRAPE_BROKERS: 'env:9092', KSCRAPE_TOPIC_PREFIX: 'envp.', KSCRAPE_REDIS_URL: 'redis://env:6379' };
    const fromEnv = resolveGlobalOptions({ clientConfig: file }, env, quiet);
    expect(fromEnv.kafkaConfig('consumer')['bootstrap.servers']).toBe('env:9092');
    expect(fromEnv.topic('urls')).toBe('envp.urls');
    expect(fromEnv.redisUrl).toBe('redis://env:6379');
    const fromFlag = resolveGlobalOptions({ clientConfig: file, brokers: 'flag:9092', topicPrefix: 'flagp.', redis: 'redis://flag:1' }, env, quiet);
    expect(fromFlag.kafkaConfig('admin')['bootstrap.servers']).toBe('flag:9092');
    expect(fromFlag.topic('urls')).toBe('flagp.urls');
    expect(fromFlag.redisUrl).toBe('redis://flag:1');
  });

  test('the file beats role defaults, -X beats everything', () => {
    const ctx = resolveGlobalOptions({ clientConfig: file, brokers: 'flag:9092', property: ['linger.ms=5', 'bootstrap.servers=x:1', 'linger.ms=6'] }, {}, quiet);
    const producer = ctx.kafkaConfig('producer');
    expect(producer.acks).toBe('1');
    expect(producer['linger.ms']).toBe('6');
    expect(producer['bootstrap.servers']).toBe('x:1');
    expect(producer['compression.type']).toBe('lz4');
    expect(ctx.kafkaConfig('consumer')['enable.auto.commit']).toBe(false);
  });

  test('KSCRAPE_CLIENT_CONFIG names the file when the flag is absent', () => {
    expect(resolveGlobalOptions({}, { KSCRAPE_CLIENT_CONFIG: file }, quiet).brokers.source).toBe('config-file');
  });

  test('bad values are user errors that name the option', () => {
    expect(() => resolveGlobalOptions({ property: ['nokey'] }, {}, quiet)).toThrow(/-X expects key=value/);
    expect(() => resolveGlobalOptions({ topicPrefix: 'a b' }, {}, quiet)).toThrow(/--topic-prefix/);
    expect(() => resolveGlobalOptions({ clientConfig: join(dir, 'missing') }, {}, quiet)).toThrow(/cannot read --client-config/);
    expect(() => resolveGlobalOptions({ redis: 'not a url' }, {}, quiet)).toThrow(/--redis/);
  });
});
