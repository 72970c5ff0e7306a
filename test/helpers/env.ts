import { randomBytes } from 'node:crypto';

/** The broker the global setup started (or the one named by KSCRAPE_TEST_BROKERS). */
export function testBrokers(): string {
  const brokers = process.env.KSCRAPE_TEST_BROKERS;
  if (!brokers) throw new Error('KSCRAPE_TEST_BROKERS is not set: run the suite through `npm test`');
  return brokers;
}

export function testRedisUrl(): string {
  const url = process.env.KSCRAPE_TEST_REDIS_URL;
  if (!url) throw new Error('KSCRAPE_TEST_REDIS_URL is not set: run the suite through `npm test`');
  return url;
}

/** A name no other test (or earlier run) uses: topics, groups, Redis key prefixes. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}
