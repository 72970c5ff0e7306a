/**
 * A record the sink will not store, as an errors-topic record (pure): the reason, where it came from (topic,
 * partition, offset: the original stays there, replayable) and its value, cut to a size the errors topic takes
 * and with NUL characters replaced, so the errors record itself can always be stored by an errors sink.
 */
import type { ErrorRecord } from '../records/index.js';
import type { Reject } from './loader.js';

/** How much of the rejected value the errors record carries. */
export const REJECT_ORIGINAL_CHARS = 64 * 1024;

export function rejectRecord(reject: Reject, table: string, worker: string, now: number): { key: string | null; record: ErrorRecord } {
  const { message } = reject;
  const value = message.value ?? '';
  const url = urlOf(value);
  const record: ErrorRecord = {
    url,
    reason: reject.reason,
    status: null,
    detail: `sink postgres (table ${table}) at ${message.topic}/${message.partition}@${message.offset}: ${reject.detail}`,
    original: value.slice(0, REJECT_ORIGINAL_CHARS).replaceAll('\u0000', '\uFFFD'),
    failed_at: now,
    worker,
  };
  return { key: url ?? message.key, record };
}

function urlOf(value: string): string | null {
  try {
    const parsed = JSON.parse(value) as { url?: unknown };
    return typeof parsed.url === 'string' ? parsed.url : null;
  } catch {
    return null;
  }
}
