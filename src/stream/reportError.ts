import { config } from 'rxjs';

/**
 * Reports an error thrown by a subscriber (or a bad clock reading) the way RxJS does:
 * to its `config.onUnhandledError` hook, else rethrown on a later tick (which ends a
 * Node process, as an unhandled error should), so the cache and the other subscribers
 * carry on. The hook is called at once, so that tests collect what happened in the
 * same synchronous run; a hook that throws in turn has its error rethrown on a later
 * tick too: a report may come in the middle of a command, which must not stop half-way.
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

function rethrowLater(error: unknown): void {
  setTimeout(() => {
    throw error;
  });
}
