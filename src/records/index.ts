/**
 * The records module: the wire format of every kscrape topic, in one place. Import from here, not from the
 * files behind it.
 *
 * - topics.ts         the topic names (before --topic-prefix)
 * - types.ts          what each topic's records carry
 * - url-envelope.ts   the one builder of urls-topic envelopes (new URL, next attempt)
 * - normalize-url.ts  which URLs an envelope may carry, normalized
 * - envelope-encoder.ts, json-bytes.ts   the encoders of the hot paths (urls by produce, pages by work);
 *                     the other records are written with JSON.stringify of their typed object
 * - decode.ts         the tolerant decoders of the consumed kinds (urls by work, dlq by dlq retry/stats)
 * - host.ts           "the host of a URL": the partition key and the politeness host
 */
export { TOPICS, type TopicName } from './topics.js';
export type { DlqRecord, ErrorReason, ErrorRecord, ExtractedPageMetadata, ExtractionItemRecord, ExtractionRecord, MetricRecord, Outcome, PageRecord, UrlEnvelope } from './types.js';
export { buildUrlEnvelope, nextAttempt, type BuiltEnvelope, type CrawlFields, type UrlEnvelopeFields } from './url-envelope.js';
export { DEFAULT_MAX_URL_LENGTH, URL_REJECT_REASONS, normalizeUrl, type NormalizeOptions, type NormalizedUrl, type UrlRejectReason } from './normalize-url.js';
export { EnvelopeEncoder } from './envelope-encoder.js';
export { jsonWithStringField } from './json-bytes.js';
export { decodeDlqRecord, decodePageRecord, decodeUrlEnvelope, type DecodedDlqRecord, type DecodedEnvelope, type DecodedPageRecord } from './decode.js';
export { hostKey, hostKeyOf, politenessHost, politenessHostOf } from './host.js';
