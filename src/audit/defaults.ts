/**
 * The defaults of `kscrape partition-audit`, in one place: commander shows them in --help and the audit uses
 * them when an option is absent. Counts are numbers; durations are written as on the command line.
 */
import { FAIR_DEFAULTS } from '../partition/partitioner.js';

export const AUDIT_DEFAULTS = {
  /**
   * Partition count to simulate for URL lists (a live topic uses its own).
   * @default 50
   */
  partitions: 50,
  /**
   * Fair partitioner: hosts with more URLs than this get banded (the partitioner's own default).
   * @default FAIR_DEFAULTS.threshold
   */
  fairThreshold: FAIR_DEFAULTS.threshold,
  /**
   * Fair partitioner: partitions a banded host spreads over (the partitioner's own default).
   * @default FAIR_DEFAULTS.bands
   */
  fairBands: FAIR_DEFAULTS.bands,
  /**
   * Hosts named per hot partition.
   * @default 5
   */
  topHostsPerPartition: 5,
  /**
   * With --sample/--since: stop reading after this long and report what was read.
   * @default '60s'
   */
  timeout: '60s',
} as const;
