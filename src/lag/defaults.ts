/**
 * The defaults of `kscrape lag`, in one place: commander shows them in --help and the action applies them.
 * Counts are numbers; durations are written as on the command line. (The WARN levels' 80 % of the --max-*
 * limits is WARN_FRACTION in thresholds.ts, next to the rule it belongs to.)
 */
export const LAG_DEFAULTS = {
  /**
   * --watch without a value: redraw this often.
   * @default '5s'
   */
  watchInterval: '5s',
  /**
   * Samples per partition the --watch status looks at.
   * @default 10
   */
  window: 10,
  /**
   * Deadline for each cluster request and for reading timestamps.
   * @default '10s'
   */
  timeout: '10s',
} as const;
