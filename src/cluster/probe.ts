/**
 * What librdkafka's binding cannot ask, asked with @platformatic/kafka's wire client (the same connection settings
 * as every kscrape client, see kafka/config-admin-options.ts): the controller id from a Metadata response, and
 * whether one broker answers a request sent to it alone (a frozen broker accepts TCP connections but answers
 * nothing: only a request tells).
 */
import { createConfigAdmin, type KafkaConfig } from '../kafka/index.js';
import type { Logger } from '../log.js';
import { withDeadline } from '../deadline.js';
import { UserError, errorMessage } from '../errors.js';

export interface ProbeOptions {
  config: KafkaConfig;
  logger: Logger;
  timeoutMs: number;
}

/**
 * The controller id a broker reports (-1: none). With KRaft, brokers report a live broker here, not the quorum's
 * leader (the controllers are not reachable by clients); -1 still means the broker knows no controller.
 */
export async function readControllerId(opts: ProbeOptions): Promise<number> {
  const admin = await createConfigAdmin(opts, opts.timeoutMs);
  try {
    const metadata = await withDeadline(admin.metadata({ topics: [], forceUpdate: true }), opts.timeoutMs + 1_000, 'controller (metadata)');
    return metadata.controllerId;
  } finally {
    await withDeadline(admin.close(), 5_000, 'wire admin close').catch(() => undefined);
  }
}

/** Sends one metadata request to `address` only; answered within the timeout or not, with the time it took. */
export async function probeBroker(opts: ProbeOptions, address: string): Promise<{ answered: boolean; ms: number; error?: string }> {
  const t0 = Date.now();
  let admin;
  try {
    admin = await createConfigAdmin({ ...opts, config: { ...opts.config, 'bootstrap.servers': address } }, opts.timeoutMs);
    await withDeadline(admin.metadata({ topics: [], forceUpdate: true }), opts.timeoutMs, `metadata from ${address}`);
    return { answered: true, ms: Date.now() - t0 };
  } catch (err) {
    if (err instanceof UserError) throw err; // settings this client cannot use: not probed, rather than "down"
    return { answered: false, ms: Date.now() - t0, error: errorMessage(err) };
  } finally {
    if (admin) await withDeadline(admin.close(), 5_000, 'wire admin close').catch(() => undefined);
  }
}
