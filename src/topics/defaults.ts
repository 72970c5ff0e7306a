/**
 * The defaults of `kscrape topics`, in one place: commander shows them in --help and the planner uses them when
 * a flag is absent. Values are written as on the command line; the action parses them like any given value.
 */
export const TOPICS_DEFAULTS = {
  /**
   * Deadline for each request to the cluster (create, list, describe).
   * @default '30s'
   */
  timeout: '30s',
  /**
   * `create`: max.message.bytes of the pages topic: room for the worker's body cap (1 MiB by default) after JSON
   * escaping.
   * @default '4MiB'
   */
  pagesMaxMessageBytes: '4MiB',
  /**
   * `create`: replicas per partition, lowered to the broker count on a smaller cluster.
   * @default 3
   */
  replicationFactor: 3,
} as const;
