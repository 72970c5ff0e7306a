/**
 * A private redis-server for tests that stop and restart Redis: its own free port on 127.0.0.1, nothing on
 * disk, restartable on the SAME port (clients reconnect to the address they know). Never the shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { freePort, sleep } from '../../scripts/stack/ports.js';
import { redisAnswers } from '../../scripts/stack/redis.js';

export interface PrivateRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Starts again on the same port (after stop()). */
  start(): Promise<void>;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let proc: ChildProcess | undefined;

  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await redisAnswers(url, 300))) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`private redis-server did not start on port ${port}`);
      await sleep(50);
    }
  };
  const stop = async () => {
    const p = proc;
    proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url, port, start, stop };
}
