import { describe, expect, test } from '@jest/globals';
import { clientPropertiesToLibrdkafka, jaasToSasl, parseJavaProperties } from '../../../src/kafka/client-properties.js';

describe('parseJavaProperties', () => {
  test('reads the separators, comments and escapes of java.util.Properties', () => {
    const props = parseJavaProperties([
      '\uFEFF# Confluent Cloud',
      '! another comment',
      'bootstrap.servers=pkc-1.example.cloud:9092',
      'security.protocol : SASL_SSL',
      'sasl.mechanism PLAIN',
      '  client.id = my\\ client',
      'path=C:\\\\certs\\\\ca.pem',
      'multi=one,\\',
      '    two',
      'unicode=caf\\u00e9',
      'empty=',
      '',
    ].join('\r\n'));
    expect(Object.fromEntries(props)).toEqual({
      'bootstrap.servers': 'pkc-1.example.cloud:9092',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanism': 'PLAIN',
      'client.id': 'my client',
      path: 'C:\\certs\\ca.pem',
      multi: 'one,two',
      unicode: 'café',
      empty: '',
    });
  });
});

describe('clientPropertiesToLibrdkafka', () => {
  test('translates a Confluent Cloud file: JAAS to sasl.username/password, Java-only keys dropped', () => {
    const props = parseJavaProperties(`
bootstrap.servers=pkc-abc.us-east-1.aws.confluent.cloud:9092
security.protocol=SASL_SSL
sasl.mechanism=PLAIN
sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username='ignored' username="ABCKEY" password="s3cr3t/with=equals+plus";
client.dns.lookup=use_all_dns_ips
session.timeout.ms=45000
acks=all
schema.registry.url=https://psrc.example
basic.auth.credentials.source=USER_INFO
basic.auth.user.info=SRKEY:SRSECRET
`);
    const { config, dropped } = clientPropertiesToLibrdkafka(props);
    expect(config).toEqual({
      'bootstrap.servers': 'pkc-abc.us-east-1.aws.confluent.cloud:9092',
      'security.protocol': 'SASL_SSL',
      'sasl.mechanisms': 'PLAIN',
      'sasl.username': 'ABCKEY',
      'sasl.password': 's3cr3t/with=equals+plus',
      'session.timeout.ms': '45000',
      acks: 'all',
    });
    expect(dropped.sort()).toEqual(['basic.auth.credentials.source', 'basic.auth.user.info', 'client.dns.lookup', 'schema.registry.url']);
  });

  test('SCRAM login module works, IAM is refused with a reason', () => {
    expect(jaasToSasl('org.apache.kafka.common.security.scram.ScramLoginModule required username="u" password="p";'))
      .toEqual({ 'sasl.username': 'u', 'sasl.password': 'p' });
    expect(() => clientPropertiesToLibrdkafka(new Map([['sasl.mechanism', 'AWS_MSK_IAM']]))).toThrow(/AWS_MSK_IAM/);
    expect(() => jaasToSasl('com.example.Weird required;')).toThrow(/unsupported sasl.jaas.config login module com.example.Weird/);
    expect(() => jaasToSasl('org.apache.kafka.common.security.plain.PlainLoginModule required username="u";')).toThrow(/no username/);
  });
});
