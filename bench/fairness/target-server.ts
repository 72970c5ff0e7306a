/**
 * The fairness benchmark's web site, in a process of its own so its arrival stamps do not wait for the bench's
 * event loop: one HTTP server on a loopback address answering for every host name (the workers pin all the
 * names to it with --resolve), stamping each request's arrival with its Host header and path.
 * IPC: {type:'count'} → {type:'count', n}; {type:'take'} → {type:'arrivals', arrivals} (and forgets them).
 */
import { createServer } from 'node:http';

interface Arrival { host: string; path: string; at: number }

const address = process.argv[2] ?? '127.0.0.1';
let arrivals: Arrival[] = [];
const body = `<html><head><title>item</title></head><body>${'<p>lorem ipsum dolor sit amet</p>'.repeat(20)}</body></html>`;

const server = createServer((req, res) => {
  const at = Date.now();
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
  arrivals.push({ host, path: (req.url ?? '/').split('?')[0]!, at });
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.maxHeadersCount = 100;

server.listen(0, address, () => {
  const port = (server.address() as { port: number }).port;
  process.send?.({ type: 'started', port });
});

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'count') process.send?.({ type: 'count', n: arrivals.length });
  else if (msg.type === 'take') {
    const taken = arrivals;
    arrivals = [];
    process.send?.({ type: 'arrivals', arrivals: taken });
  } else if (msg.type === 'stop') {
    server.closeAllConnections();
    server.close();
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
