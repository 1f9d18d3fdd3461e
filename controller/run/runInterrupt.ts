import { PathprobeError } from '../../proto/errorCodes.js';

/**
 * How a run is stopped. `signal` aborts first: no new measurement starts, the ones in flight end
 * and are stored. `stopNow` rejects second: the measurements in flight are abandoned (everything
 * finished is already stored).
 */
export interface RunInterrupt {
  readonly signal: AbortSignal;
  readonly stopNow: Promise<never>;
  /** First stage. */
  stopAfterInFlight(): void;
  /** Second stage. */
  stopAtOnce(message: string): void;
}

export function createRunInterrupt(): RunInterrupt {
  const abort = new AbortController();
  let reject: (error: Error) => void = () => {};
  const stopNow = new Promise<never>((_, r) => { reject = r; });
  // Nobody may be racing it (a run that already ended): never an unhandled rejection.
  stopNow.catch(() => {});
  return {
    signal: abort.signal,
    stopNow,
    stopAfterInFlight() {
      abort.abort();
    },
    stopAtOnce(message) {
      abort.abort();
      reject(new PathprobeError('ERR_INTERRUPTED', message));
    },
  };
}

/**
 * Ctrl-C (SIGINT) and SIGTERM in two stages for `run`, `serve` and `demo`: the first calls
 * `first`, any later one `second`. Returns the function that removes the handlers.
 */
export function onInterruptSignals(handlers: { first(signal: NodeJS.Signals): void; second(signal: NodeJS.Signals): void }): () => void {
  let count = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) handlers.first(signal);
    else handlers.second(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
