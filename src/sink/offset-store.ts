/**
 * The sink's consumer positions in PostgreSQL (`kscrape_offsets`), written in the same transaction as the rows
 * they cover: a batch's rows and its partition's next offset commit together or not at all. This is what makes
 * the sink exactly-once without Kafka transactions (KafkaConsumer's "Storing Offsets Outside Kafka").
 */
import type pg from 'pg';

export interface OffsetKey {
  group: string;
  topic: string;
}

/** The stored next offsets of these partitions (absent: nothing stored yet). */
export async function readStoredOffsets(db: Pick<pg.Pool, 'query'>, key: OffsetKey, partitions?: readonly number[]): Promise<Map<number, number>> {
  const result = partitions
    ? await db.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM kscrape_offsets WHERE group_id = $1 AND topic = $2 AND partition = ANY($3::int[])', [key.group, key.topic, partitions])
    : await db.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM kscrape_offsets WHERE group_id = $1 AND topic = $2', [key.group, key.topic]);
  return new Map(result.rows.map((r) => [r.partition, Number(r.next_offset)]));
}

/**
 * Inside a transaction: takes the partition's lock (held until commit or rollback) and reads its stored next
 * offset. The lock serializes two members that both believe they own the partition (a zombie after a
 * rebalance), so a record is never stored twice; an advisory lock, because the partition may have no row yet.
 */
export async function lockPartition(client: pg.ClientBase, key: OffsetKey, partition: number): Promise<number | undefined> {
  const result = await client.query<{ next_offset: string | null }>(
    `SELECT pg_advisory_xact_lock(hashtext($1 || '/' || $2), $3),
       (SELECT next_offset FROM kscrape_offsets WHERE group_id = $1 AND topic = $2 AND partition = $3) AS next_offset`,
    [key.group, key.topic, partition]);
  const stored = result.rows[0]?.next_offset;
  return stored === null || stored === undefined ? undefined : Number(stored);
}

/** Inside the same transaction: the partition's next offset after this batch (never moves back). */
export async function storeOffset(client: pg.ClientBase, key: OffsetKey, partition: number, nextOffset: number): Promise<void> {
  await client.query(
    `INSERT INTO kscrape_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
     ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = GREATEST(kscrape_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`,
    [key.group, key.topic, partition, nextOffset]);
}
