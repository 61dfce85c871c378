import { config } from 'rxjs';

/**
 * Reports an error thrown by a subscriber the way RxJS does (its
 * `config.onUnhandledError` hook, else rethrown on a later tick), so the cache and
 * the other subscribers carry on.
 */
export function reportError(error: unknown): void {
  const handler = config.onUnhandledError;
  if (handler) handler(error);
  else
    setTimeout(() => {
      throw error;
    });
}
