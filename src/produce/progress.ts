/** The spinner on a terminal's stderr: counts and rate, refreshed a few times a second. Nothing when piped. */
import ora, { type Ora } from 'ora';

export interface Progress {
  stop(): void;
}

export function startProgress(opts: { enabled: boolean; stream: NodeJS.WriteStream; text: () => string; intervalMs?: number }): Progress {
  if (!opts.enabled || !opts.stream.isTTY) return { stop: () => undefined };
  // discardStdin would put stdin in raw mode: stdin may be our input, and Ctrl+C must stay a SIGINT.
  const spinner: Ora = ora({ stream: opts.stream, discardStdin: false, text: opts.text() }).start();
  const timer = setInterval(() => { spinner.text = opts.text(); }, opts.intervalMs ?? 250);
  return {
    stop: () => {
      clearInterval(timer);
      spinner.stop();
    },
  };
}
