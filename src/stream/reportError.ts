import { config } from 'rxjs';

/**
 * Reports an error thrown by a subscriber (or a bad clock reading) to RxJS's
 * `config.onUnhandledError` hook, else rethrows it on a later tick (which ends a Node
 * process, as an unhandled error should), so the cache and the other subscribers carry
 * on. Unlike RxJS, which calls the hook on a later tick too, this calls it at once, so
 * that tests collect what happened in the same synchronous run; the cache reports
 * through its outbox, after the command under way (see Outbox.report). A hook that
 * throws in turn has its error rethrown on a later tick.
 */
export function reportError(error: unknown): void {
  const handler = config.onUnhandledError;
  if (handler) {
    try {
      handler(error);
    } catch (thrown) {
      rethrowLater(thrown);
    }
  } else rethrowLater(error);
}

/**
 * Calls `call`, reporting what it throws (see {@link reportError}) instead of letting
 * it out: for deliveries that must not stop the ones after them (completing streams).
 */
export function reporting(call: () => void): void {
  try {
    call();
  } catch (error) {
    reportError(error);
  }
}

function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
