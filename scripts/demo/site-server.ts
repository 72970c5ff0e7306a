/**
 * The demo site's server process: one HTTP server per host address of shop-site.ts, all on one port, answering
 * from its table. Run by site-process.ts through fork (port as the argument); it reports over IPC and exits when
 * its parent goes away, so a killed demo never leaves it behind. By hand:
 *   node dist/scripts/demo/site-server.js 8080   then   curl --resolve shop.test:8080:127.0.5.1 http://shop.test:8080/
 */
import { createServer, type Server } from 'node:http';
import { SITE_HOSTS, respond } from './shop-site.js';

export type SiteMessage =
  | { type: 'listening'; port: number }
  | { type: 'failed'; code: string; message: string }
  | { type: 'arrivals'; arrivals: Record<string, { path: string; at: number; status: number }[]> };

const port = Number(process.argv[2] ?? 0);
const hits = new Map<string, number>();
const arrivals: Record<string, { path: string; at: number; status: number }[]> = {};
const servers: Server[] = [];
const send = (msg: SiteMessage) => { if (process.send) process.send(msg); else process.stdout.write(`${JSON.stringify(msg)}\n`); };

function serve(host: string, address: string): Promise<Server> {
  arrivals[host] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const key = `${host}${path}`;
    const r = respond(host, port, path, hits.get(key) ?? 0);
    hits.set(key, (hits.get(key) ?? 0) + 1);
    arrivals[host]!.push({ path, at: Date.now(), status: r.status });
    const reply = () => { res.writeHead(r.status, r.headers); res.end(r.body); };
    if (r.delayMs) setTimeout(reply, r.delayMs); else reply();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => { server.off('error', reject); resolve(server); });
  });
}

function stop(): void {
  for (const s of servers) { s.closeAllConnections(); s.close(); }
  process.exit();
}

process.on('disconnect', stop).on('SIGTERM', stop).on('SIGINT', stop);
process.on('message', (msg: { type?: string }) => {
  if (msg.type === 'arrivals') send({ type: 'arrivals', arrivals });
  else if (msg.type === 'stop') stop();
});

try {
  for (const h of SITE_HOSTS) servers.push(await serve(h.name, h.address));
  send({ type: 'listening', port });
} catch (err) {
  const e = err as NodeJS.ErrnoException;
  send({ type: 'failed', code: e.code ?? 'ERROR', message: e.message });
  process.exitCode = 1;
  for (const s of servers) s.close();
  if (process.connected) process.disconnect();
}
