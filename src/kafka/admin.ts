/** Admin helpers shared by commands: connect with a deadline and a clear message when the cluster is away. */
import { RuntimeFailure, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createAdmin, type Admin } from './clients.js';
import type { KafkaConfig } from './config.js';
import { withDeadline } from '../deadline.js';

export interface ConnectedAdmin {
  admin: Admin;
  close(): Promise<void>;
}

export async function connectAdmin(opts: { config: KafkaConfig; logger: Logger; timeoutMs: number }): Promise<ConnectedAdmin> {
  const admin = createAdmin(opts);
  const brokers = String(opts.config['bootstrap.servers']);
  const close = () => withDeadline(admin.disconnect(), 5_000, 'admin disconnect').catch(() => undefined);
  try {
    await withDeadline(admin.connect(), opts.timeoutMs, 'connect');
    // connect() succeeds before any broker answered; a metadata request proves the cluster is there.
    await withDeadline(admin.listTopics({ timeout: opts.timeoutMs }), opts.timeoutMs + 1_000, 'metadata request');
  } catch (err) {
    await close();
    throw new RuntimeFailure(
      `cannot reach Kafka at ${brokers} within ${opts.timeoutMs / 1000} s (${errorMessage(err)}); check --brokers / KSCRAPE_BROKERS and security settings`,
      'kafka.unreachable', { retriable: true, cause: err },
    );
  }
  return { admin, close };
}
