import { unboundedScope } from '../../src/isc/client.js';
import type { UpstreamAttempt, UpstreamAttemptOutcome, UpstreamObserver } from '../../src/isc/types.js';

/** One attempt as the pipeline reports it to `observer`: starts a call, reports the attempt, answers the function that hears its outcome. */
export function attemptOn(
  observer: UpstreamObserver,
  attempt: UpstreamAttempt,
  headers: Record<string, string>,
): (outcome: UpstreamAttemptOutcome) => void {
  const start = { method: attempt.method, route: attempt.route, credential: 'client-credentials' as const, scope: unboundedScope() };
  return observer.start(start)?.attempt?.(attempt, headers, start) ?? (() => undefined);
}
