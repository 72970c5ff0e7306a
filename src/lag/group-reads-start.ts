/**
 * Starts the child that reads committed offsets and members for a lag report (src/kafka/isolated-group-reads.ts)
 * as early as the caller can: with --group, the offsets of the named groups are needed whatever the group listing
 * says, so the child reads them while this process is still loading the client and connecting. Light on purpose:
 * the lag command calls it before it loads anything that talks to Kafka.
 */
import { type KafkaConfig, GROUP_READS_CHILD, startGroupReadsChild, type StartedChild } from '../kafka/index.js';

export function startLagGroupReads(opts: { adminConfig: KafkaConfig; groups: string[]; allGroups: boolean; timeoutMs: number }): StartedChild {
  const early = opts.allGroups ? undefined : { tasks: opts.groups.map((group) => ({ kind: 'offsets' as const, group })), timeoutMs: opts.timeoutMs };
  return startGroupReadsChild(GROUP_READS_CHILD, opts.adminConfig, early);
}
