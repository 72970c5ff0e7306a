/**
 * HTTP targets for `bench/work.ts`, in a process of their own (forked, driven over IPC): one server per loopback
 * address, each address a distinct host. Arrival times are stamped here, with sub-millisecond resolution, so
 * neither the worker's event loop nor the bench's delays them. Also counts each host's connections (keep-alive
 * check) and watches this process's own event-loop delay (the stamps' jitter).
 *
 * IPC: {type:'start', addresses, bodyBytes, robots} → {type:'started', origins};
 *      {type:'collect'} → {type:'collected', arrivals, sockets, loopDelayMs}; {type:'reset'}; {type:'stop'}.
 */
import { createServer, type Server } from 'node:http';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface StartMessage {
  type: 'start';
  addresses: string[];
  /** Size of every page body (HTML text). */
  bodyBytes: number;
  /** robots.txt text, or undefined for 404. */
  robots?: string;
}

export interface Collected {
  type: 'collected';
  /** Per address: arrival times (epoch ms, fractional) of every request, and how many were robots.txt. */
  arrivals: Record<string, number[]>;
  robots: Record<string, number>;
  /** Per address: connections accepted. */
  sockets: Record<string, number>;
  /** This process's event-loop delay since the last reset (ms). */
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** An HTML page of about `bytes` bytes (plain ASCII, so bytes = characters). */
export function htmlPage(bytes: number): Buffer {
  const head = '<!doctype html><html><head><title>bench page</title></head><body>\n';
  const tail = '</body></html>\n';
  const para = '<p class="text">Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.</p>\n';
  let body = head;
  while (body.length + para.length + tail.length <= bytes) body += para;
  body += 'x'.repeat(Math.max(0, bytes - body.length - tail.length)) + tail;
  return Buffer.from(body);
}

const now = () => performance.timeOrigin + performance.now();

function serve(): void {
  const servers: Server[] = [];
  let arrivals: Record<string, number[]> = {};
  let robots: Record<string, number> = {};
  let sockets: Record<string, number> = {};
  let loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();

  process.on('message', (msg: { type: string } & Partial<StartMessage>) => {
    if (msg.type === 'start') {
      const start = msg as StartMessage;
      const page = htmlPage(start.bodyBytes);
      void Promise.all(start.addresses.map(async (address) => {
        arrivals[address] = [];
        robots[address] = 0;
        sockets[address] = 0;
        const server = createServer((req, res) => {
          arrivals[address]!.push(now());
          if (req.url === '/robots.txt') {
            robots[address]!++;
            if (start.robots === undefined) { res.writeHead(404); res.end(); return; }
            res.writeHead(200, { 'content-type': 'text/plain' });
            res.end(start.robots);
            return;
          }
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': page.length });
          res.end(page);
        });
        server.on('connection', () => { sockets[address]!++; });
        server.keepAliveTimeout = 30_000;
        await new Promise<void>((resolve) => server.listen(0, address, resolve));
        servers.push(server);
        return `http://${address}:${(server.address() as { port: number }).port}`;
      })).then((origins) => process.send!({ type: 'started', origins }));
    } else if (msg.type === 'collect') {
      const ms = (ns: number) => Math.round(ns / 1e4) / 100;
      const reply: Collected = {
        type: 'collected', arrivals, robots, sockets,
        loopDelayMs: { p50: ms(loop.percentile(50)), p99: ms(loop.percentile(99)), max: ms(loop.max) },
      };
      process.send!(reply);
    } else if (msg.type === 'reset') {
      for (const a of Object.keys(arrivals)) { arrivals[a] = []; robots[a] = 0; sockets[a] = 0; }
      arrivals = { ...arrivals };
      robots = { ...robots };
      sockets = { ...sockets };
      loop.disable();
      loop = monitorEventLoopDelay({ resolution: 5 });
      loop.enable();
      process.send!({ type: 'reset-done' });
    } else if (msg.type === 'stop') {
      for (const s of servers) { s.closeAllConnections(); s.close(); }
      process.exit(0);
    }
  });
}

if (process.send) serve();
