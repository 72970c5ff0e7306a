/**
 * One HTTP hop with got: keep-alive agents shared by all fetches, the guarded lookup on every new connection,
 * connect and total timeouts, no automatic redirects or retries (the fetcher follows redirects itself so that
 * every hop is guarded, and retries belong to the dlq). The body is streamed and capped (body-reader.ts).
 */
import http from 'node:http';
import type { Readable } from 'node:stream';
import https from 'node:https';
import got, { type Got } from 'got';
import type { AddressPolicy } from './address-guard.js';
import { readCapped } from './body-reader.js';
import { isAccepted, parseContentType } from './content.js';
import { checkLiteralHost, createGuardedLookup } from './guarded-lookup.js';
import type { ResolvePin } from './resolve-pins.js';

export interface HttpClientOptions {
  userAgent: string;
  /** Sent as Accept. */
  acceptHeader: string;
  connectTimeoutMs: number;
  policy: AddressPolicy;
  pins: readonly ResolvePin[];
}

export interface HopRequest {
  url: URL;
  /** Epoch ms by which the hop (body included) must be done. */
  deadlineAt: number;
  signal?: AbortSignal;
  /** Body cap for accepted 2xx responses. */
  maxBytes: number;
  /** Media types whose body is read; null reads any. */
  accept: readonly string[] | null;
  /**
   * Streaming mode: an accepted 2xx's decompressed body goes to this reader instead of being collected (then
   * `maxBytes` does not apply: the reader keeps its own cap). Its rejection is the hop's (a reset mid-body).
   */
  consume?: (body: Readable) => Promise<void>;
  /** Extra request headers (a recrawl's If-None-Match / If-Modified-Since). */
  headers?: Record<string, string>;
}

export interface HopResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  contentType: string | null;
  /** False for a 2xx whose media type is not accepted: its body was not read. */
  accepted: boolean;
  /** The body of an accepted 2xx (null in streaming mode); other responses' bodies are drained (a little) and dropped. */
  body: Buffer | null;
  bytes: number;
  truncated: boolean;
  /** When the request was written to a connected socket (epoch ms). */
  sentAt: number;
}

/** Bytes of a redirect's or an error's body read just so the connection can be reused. */
const DRAIN_BYTES = 16 * 1024;

export interface HttpClient {
  /** One request; rejects with got's error (classify it with classifyRequestError). */
  hop(req: HopRequest): Promise<HopResponse>;
  /** Sockets opened so far (for tests of keep-alive and for stats). */
  readonly socketsCreated: number;
  close(): void;
}

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  let socketsCreated = 0;
  const agentOptions = { keepAlive: true, maxFreeSockets: 64, scheduling: 'lifo' as const, timeout: 30_000 };
  const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
  for (const agent of [agents.http, agents.https]) {
    const create = agent.createConnection.bind(agent) as (...args: unknown[]) => unknown;
    (agent as unknown as { createConnection: (...args: unknown[]) => unknown }).createConnection = (...args: unknown[]) => {
      socketsCreated++;
      return create(...args);
    };
  }
  const client: Got = got.extend({
    agent: agents,
    headers: { 'user-agent': opts.userAgent, accept: opts.acceptHeader },
    followRedirect: false,
    throwHttpErrors: false,
    retry: { limit: 0 },
    decompress: true,
    http2: false,
  });

  async function hop(req: HopRequest): Promise<HopResponse> {
    const blocked = checkLiteralHost(req.url.hostname, opts.policy);
    if (blocked) throw blocked;
    const port = Number(req.url.port) || (req.url.protocol === 'https:' ? 443 : 80);
    const remaining = Math.max(1, req.deadlineAt - Date.now());
    const connect = Math.min(opts.connectTimeoutMs, remaining);
    const stream = client.stream(req.url, {
      dnsLookup: createGuardedLookup({ policy: opts.policy, pins: opts.pins, port }),
      timeout: { lookup: connect, connect, secureConnect: connect, request: remaining },
      ...(req.signal ? { signal: req.signal } : {}),
      ...(req.headers ? { headers: req.headers } : {}),
    });
    // Written is not sent while a new socket is still connecting: the later of the two is when it left.
    let sentAt = 0;
    let connectedAt = 0;
    stream.once('request', (request: http.ClientRequest) => {
      request.once('socket', (socket) => {
        if (socket.connecting) socket.once('connect', () => { connectedAt = Date.now(); if (sentAt) sentAt = Math.max(sentAt, connectedAt); });
      });
      request.once('finish', () => { sentAt = Math.max(Date.now(), connectedAt); });
    });
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      stream.once('response', resolve);
      stream.once('error', reject);
    });
    if (!sentAt) sentAt = Date.now();
    const status = response.statusCode ?? 0;
    const contentTypeHeader = response.headers['content-type'];
    const contentType = contentTypeHeader ?? null;
    const ok = status >= 200 && status < 300;
    const accepted = !ok || req.accept === null || isAccepted(parseContentType(contentTypeHeader).mime, req.accept);
    const base = { status, headers: response.headers, contentType, accepted, sentAt };
    if (ok && accepted && req.consume) {
      try {
        await req.consume(stream);
      } finally {
        // Whatever the reader left unread is not wanted: close the connection rather than download it.
        if (!stream.readableEnded) stream.destroy();
      }
      return { ...base, body: null, bytes: 0, truncated: false };
    }
    if (ok && accepted) {
      const { body, bytes, truncated } = await readCapped(stream, req.maxBytes);
      return { ...base, body, bytes, truncated };
    }
    if (ok) {
      stream.destroy();
    } else {
      // A failure while draining a body we drop changes nothing about the outcome.
      await readCapped(stream, DRAIN_BYTES).catch(() => undefined);
    }
    return { ...base, body: null, bytes: 0, truncated: false };
  }

  return {
    hop,
    get socketsCreated() {
      return socketsCreated;
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
