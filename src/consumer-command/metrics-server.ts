/**
 * The Prometheus plumbing every consumer command shares (`work`, `extract`): counters and gauges read from the
 * command's own stats at scrape time (one source of truth), and the /metrics server behind --metrics-port.
 * Which metrics a command exports stays in its own metrics file.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { UserError } from '../errors.js';
import type { Logger } from '../log.js';

/** A registry with the Node process's own metrics (memory, CPU, event loop) under one prefix. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'kscrape_process_' });
  return registry;
}

/** A counter whose value is read from a source at scrape time (it only ever grows). */
export function counterFrom(registry: Registry, name: string, help: string, read: () => number): void {
  let last = 0;
  new Counter({
    name, help, registers: [registry],
    collect() {
      const now = read();
      if (now > last) this.inc(now - last);
      last = now;
    },
  });
}

/** A gauge set from a source at scrape time. */
export function gaugeFrom(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({ name, help, registers: [registry], collect() { this.set(read()); } });
}

/**
 * Serves the registry at http://host:port/metrics (anything else is a 404) and says where; a port that cannot
 * be listened on is the user's to fix (--metrics-port). Returns what closes the server. `consumer`, the started
 * consumer the metrics are of, is stopped before that error goes up: running, it would keep the process alive.
 */
export async function serveMetrics(registry: Registry, port: number, host: string, logger: Logger, consumer?: { stop(reason: string): Promise<void> }): Promise<() => Promise<unknown>> {
  const server = await listen(registry, port, host).catch(async (err: Error) => {
    await consumer?.stop(`--metrics-port ${port} cannot be served`);
    throw new UserError(`--metrics-port ${port}: ${err.message}`, 'usage.metrics-port');
  });
  logger.info(`metrics on http://${host}:${port}/metrics`);
  return () => new Promise((r) => server.close(() => r(undefined)));
}

function listen(registry: Registry, port: number, host: string): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.statusCode = 404;
      res.end('see /metrics\n');
      return;
    }
    registry.metrics().then((text) => {
      res.setHeader('content-type', registry.contentType);
      res.end(text);
    }, (err: Error) => {
      res.statusCode = 500;
      res.end(err.message);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
