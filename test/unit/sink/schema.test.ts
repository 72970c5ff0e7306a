import { describe, expect, test } from '@jest/globals';
import { MIGRATIONS, SCHEMA_VERSION, quoteTable, validTableName } from '../../../src/sink/schema.js';

describe('sink schema', () => {
  test('table names: letters, digits, underscore, one optional schema', () => {
    expect(['pages', 'analytics.pages_v2', '_x'].every(validTableName)).toBe(true);
    expect(['a-b', 'a.b.c', '1abc', 'x; drop table y', ''].some(validTableName)).toBe(false);
    expect(quoteTable('analytics.pages')).toBe('"analytics"."pages"');
  });

  test('the first migration creates the table with the mode\'s unique key', () => {
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
    const upsert = MIGRATIONS[0]!('pages', 'upsert').join(';');
    const append = MIGRATIONS[0]!('pages', 'append').join(';');
    expect(upsert).toContain('UNIQUE INDEX "pages_key" ON "pages" ("url")');
    expect(append).toContain('UNIQUE INDEX "pages_key" ON "pages" ("kafka_topic", "kafka_partition", "kafka_offset")');
  });
});
