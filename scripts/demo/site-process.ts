/**
 * Starts the demo site (site-server.ts) as a child process on a port free on all of its addresses, and talks to
 * it over IPC: the arrivals it stamped, and stop. The child exits on its own if this process dies.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { SiteMessage } from './site-server.js';

/** The built server beside this module (tests, which run the .ts sources, pass dist's path instead). */
const SERVER = fileURLToPath(new URL('./site-server.js', import.meta.url));

export type Arrivals = Record<string, { path: string; at: number; status: number }[]>;

export interface SiteProcess {
  port: number;
  pid: number;
  arrivals(): Promise<Arrivals>;
  close(): Promise<void>;
}

/**
 * Tries the candidate ports in turn (a port free on 127.0.0.1 is almost always free on 127.0.5.x, but another
 * program may hold it on 0.0.0.0) and returns the site on the first one all its addresses could bind.
 */
export async function startSiteProcess(
  candidates: AsyncIterable<number> | Iterable<number>,
  opts: { maxTries?: number; serverPath?: string } = {},
): Promise<SiteProcess> {
  const maxTries = opts.maxTries ?? 10;
  let tries = 0;
  let last = '';
  for await (const port of candidates) {
    if (tries++ >= maxTries) break;
    const child = fork(opts.serverPath ?? SERVER, [String(port)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const first = await nextMessage(child, (m) => m.type === 'listening' || m.type === 'failed');
    if (first?.type === 'listening') return handle(child, port);
    last = first?.type === 'failed' ? `${first.code}: ${first.message}` : 'the site process exited';
    child.kill();
  }
  throw new Error(`the demo site could not listen (${last || 'no port to try'})`);
}

function handle(child: ChildProcess, port: number): SiteProcess {
  return {
    port,
    pid: child.pid ?? 0,
    async arrivals() {
      const reply = nextMessage(child, (m) => m.type === 'arrivals');
      child.send({ type: 'arrivals' });
      const msg = await reply;
      return msg?.type === 'arrivals' ? msg.arrivals : {};
    },
    close: () => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

/** The next message matching `want`, or undefined when the child exits first. */
function nextMessage(child: ChildProcess, want: (m: SiteMessage) => boolean): Promise<SiteMessage | undefined> {
  return new Promise((resolve) => {
    const onMessage = (m: SiteMessage) => { if (want(m)) { done(); resolve(m); } };
    const onExit = () => { done(); resolve(undefined); };
    const done = () => { child.off('message', onMessage); child.off('exit', onExit); };
    child.on('message', onMessage).on('exit', onExit);
  });
}
