import { fork, spawnSync } from 'node:child_process';
import { setPriority } from 'node:os';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface Target {
  /** e.g. http://127.0.1.3:41234 */
  origin: string;
  host: string;
  /** Arrival time (ms) of every request, by path. */
  arrivals: { path: string; at: number }[];
  close(): Promise<void>;
}

/**
 * An HTTP server on one loopback address (127.x.y.z: each address is a distinct host for politeness), with
 * scripted routes. Records when each request arrived, so tests can check a host's spacing.
 */
export async function startTarget(address: string, routes: Record<string, Route>): Promise<Target> {
  const arrivals: { path: string; at: number }[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    arrivals.push({ path, at: Date.now() });
    const route = routes[path] ?? routes['*'];
    if (route) route(req, res);
    else { res.statusCode = 404; res.end('not found'); }
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const port = (server.address() as { port: number }).port;
  return {
    origin: `http://${address}:${port}`,
    host: address,
    arrivals,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

export const routes = {
  html: (body = '<html><body>ok</body></html>'): Route => (_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(body);
  },
  status: (code: number, headers: Record<string, string> = {}): Route => (_req, res) => {
    res.writeHead(code, headers);
    res.end(`status ${code}`);
  },
  slow: (ms: number): Route => (_req, res) => {
    setTimeout(() => { res.setHeader('content-type', 'text/html'); res.end('<p>slow</p>'); }, ms);
  },
};

/** Smallest gap between consecutive arrivals (Infinity with fewer than two). */
export function minGapMs(arrivals: { at: number }[]): number {
  const times = arrivals.map((a) => a.at).sort((a, b) => a - b);
  let min = Infinity;
  for (let i = 1; i < times.length; i++) min = Math.min(min, times[i]! - times[i - 1]!);
  return min;
}

/** A route of the target process: a plain page (the default kind) or one of the hostile servers. */
export interface RouteSpec {
  kind?: 'html' | 'endless' | 'slowloris' | 'redirect' | 'gzip-bomb' | 'counter' | 'echo-relative';
  /** For `echo-relative`: the relative link every page under the route carries. */
  href?: string;
  status?: number;
  headers?: Record<string, string>;
  /** Default: an HTML page naming the request's path. */
  body?: string;
  delayMs?: number;
  /** For `redirect`. */
  location?: string;
}

export interface TargetProcess {
  /** One origin per address, in the order given. */
  origins: string[];
  /** Arrival times per address, as stamped by the target process. */
  arrivals(): Promise<Record<string, { path: string; at: number }[]>>;
  /** Requests seen so far on `path` (all addresses). */
  count(path?: string): Promise<number>;
  /** Replaces the routes (a link graph writes its links once the origins are known). */
  setRoutes(routeSpecs: Record<string, RouteSpec>): Promise<void>;
  close(): Promise<void>;
}

/**
 * Puts the targets process ahead of everything else on the machine (SCHED_FIFO, else nice -10; both need root,
 * and without either it runs as it is). On a loaded 2-core machine a normal-priority targets process stamps
 * arrivals up to tens of ms late, and a late stamp makes the next gap look like a politeness violation.
 */
function stampOnTime(pid: number): void {
  if (spawnSync('chrt', ['-f', '-p', '10', String(pid)], { stdio: 'ignore' }).status === 0) return;
  try {
    setPriority(pid, -10);
  } catch {
    // Not root: measured as it is.
  }
}

/**
 * Scripted HTTP targets on several loopback addresses, served by a child process: its arrival stamps do not
 * wait for the test process's event loop, so politeness can be checked tightly. `bombMib` sizes the
 * decompressed body of `gzip-bomb` routes.
 */
export async function startTargetProcess(addresses: string[], routeSpecs: Record<string, RouteSpec>, opts: { bombMib?: number } = {}): Promise<TargetProcess> {
  const child = fork(fileURLToPath(new URL('../fixtures/targets-process.mjs', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = (type: string) => new Promise<Record<string, unknown>>((resolve) => {
    const on = (msg: Record<string, unknown>) => { if (msg.type === type) { child.off('message', on); resolve(msg); } };
    child.on('message', on);
  });
  const started = next('started');
  child.send({ type: 'start', addresses, routes: routeSpecs, bombMib: opts.bombMib ?? 256 });
  const { origins } = (await started) as { origins: string[] };
  // After start-up: building a gzip bomb is seconds of CPU that must not run ahead of everything else.
  if (child.pid !== undefined) stampOnTime(child.pid);
  const arrivals = async () => {
    const reply = next('arrivals');
    child.send({ type: 'arrivals' });
    return ((await reply) as { arrivals: Record<string, { path: string; at: number }[]> }).arrivals;
  };
  return {
    origins,
    arrivals,
    setRoutes: async (routeSpecs) => {
      const set = next('routes-set');
      child.send({ type: 'routes', routes: routeSpecs });
      await set;
    },
    count: async (path) => Object.values(await arrivals()).flat().filter((a) => path === undefined || a.path === path).length,
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.send({ type: 'stop' });
    }),
  };
}
