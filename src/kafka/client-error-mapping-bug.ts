/**
 * A bug of @confluentinc/kafka-javascript 1.x: when a transactional producer's sendOffsets fails with
 * GROUP_COORDINATOR_NOT_AVAILABLE (the group coordinator was just killed), the client maps the error to
 * `new error.KafkaJSGroupCoordinatorNotAvailableError(...)`, a class its error module does not define. The
 * TypeError is thrown inside the client's async callback, so the promise kscrape awaits never settles and the
 * TypeError surfaces as an unhandled rejection, which ends the process (seen killing an `--eos` worker in the
 * 3-broker coordinator-kill scenario). kscrape bounds every client call with its own deadline (deadline.ts), so
 * the call fails cleanly anyway; the process must only not die of the rejection.
 */
export function isClientErrorMappingBug(reason: unknown): boolean {
  return reason instanceof TypeError && /is not a constructor/.test(reason.message)
    && /createKafkaJsErrorFromLibRdKafkaError/.test(reason.stack ?? '');
}

/**
 * While installed, an unhandled rejection that is this bug is logged instead of ending the process; any other
 * keeps Node's default (the process ends with it). Returns the undo.
 */
export function surviveClientErrorMappingBug(warn: (line: string) => void): () => void {
  const onRejection = (reason: unknown) => {
    if (isClientErrorMappingBug(reason)) {
      warn(`the Kafka client could not report an error (${(reason as Error).message}); the call ends at kscrape's own deadline instead`);
      return;
    }
    throw reason;
  };
  process.on('unhandledRejection', onRejection);
  return () => { process.off('unhandledRejection', onRejection); };
}
