/**
 * How a long-running consumer command (`work`, `extract`, `sink postgres`) answers signals: SIGINT/SIGTERM
 * stop it gracefully, a second one exits at once (what is unfinished is read again after a restart, as
 * `lostWork` tells the user); SIGUSR2, where the command can, replaces the Kafka consumer.
 */
import type { Logger } from '../log.js';

export interface StopSignalTarget {
  stop(reason: string): Promise<void>;
  /** SIGUSR2 replaces the consumer without losing anything; a command without it ignores SIGUSR2. */
  restartConsumer?(reason: string): Promise<void>;
}

/** Installs the handlers; returns the undo. `lostWork` ends the line a second signal logs before exiting. */
export function handleStopSignals(target: StopSignalTarget, logger: Logger, lostWork: string): () => void {
  let signals = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (++signals > 1) {
      logger.error(`${name} again: exiting now; ${lostWork}`);
      process.exit(130);
    }
    void target.stop(`${name} received (again to exit at once)`);
  };
  const restart = target.restartConsumer?.bind(target);
  const onRestart = () => void restart?.('SIGUSR2 received');
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  if (restart) process.on('SIGUSR2', onRestart);
  return () => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    if (restart) process.off('SIGUSR2', onRestart);
  };
}
