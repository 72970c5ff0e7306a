/** The topic names of kscrape's records (see ./types.ts for what each carries). */

/** The standard topics, before --topic-prefix. */
export const TOPICS = {
  urls: 'urls',
  pages: 'pages',
  extractions: 'extractions',
  errors: 'errors',
  dlq: 'dlq',
  metrics: 'metrics',
  /** Records `dlq retry` gave up on after --max-attempts, for people to review. */
  dlqParked: 'dlq.parked',
} as const;

export type TopicName = keyof typeof TOPICS;
