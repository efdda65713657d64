import { GraphQLError } from 'graphql';
import { errorCodeOf } from '../../shared/errors.js';
import type { CallWatch, UpstreamAttemptOutcome, UpstreamObserver } from '../types.js';
import type { IscAnswer, Stage } from '../types.js';

/**
 * The start and end of each call, for every observer (see observer.ts): the watches they answer
 * ride on the call, so the stages below can report attempts and retries to them.
 */
export function observeCalls(observers: readonly UpstreamObserver[]): Stage | undefined {
  if (observers.length === 0) return undefined;
  // Promise chains rather than async functions: every ISC call passes here, and each await costs ticks.
  return (call, next) => {
    const watches: CallWatch[] = [];
    const start = { method: call.request.method, route: call.route, credential: call.credential.kind, scope: call.scope };
    for (const observer of observers) {
      const watch = observer.start(start);
      if (watch) watches.push(watch);
    }
    if (watches.length === 0) return next(call);
    const started = performance.now();
    return next({ ...call, watches, start }).then(
      (answer) => {
        for (const watch of watches)
          watch.end?.({ status: answer.status, cached: answer.cached, coalesced: answer.coalesced, durationMs: performance.now() - started }, start);
        return answer;
      },
      (error: unknown) => {
        for (const watch of watches) watch.end?.({ error, durationMs: performance.now() - started }, start);
        throw error;
      },
    );
  };
}

/** Each HTTP attempt, for the watches of its call: they may add request headers (trace context) and hear the outcome. */
export const observeAttempts: Stage = (call, next) => {
  if (call.watches.length === 0 || !call.start) return next(call);
  // The call's own headers: an observer may add to them (trace context), and sets them again on each attempt.
  const headers = call.headers;
  const attempt = { method: call.request.method, route: call.route, attempt: call.attempt };
  const finishers: ((outcome: UpstreamAttemptOutcome) => void)[] = [];
  for (const watch of call.watches) {
    const finish = watch.attempt?.(attempt, headers, call.start);
    if (finish) finishers.push(finish);
  }
  const started = performance.now();
  const finish = (outcome: UpstreamAttemptOutcome) => {
    for (const done of finishers) done(outcome);
  };
  return next(call).then(
    (answer: IscAnswer) => {
      finish({ status: answer.status, durationMs: performance.now() - started });
      return answer;
    },
    (error: unknown) => {
      finish({ error: failureCode(error), durationMs: performance.now() - started });
      throw error;
    },
  );
};

/** A transport failure's code (ECONNRESET, EOPENBREAKER…), else the error's name. */
function failureCode(error: unknown): string {
  if (error instanceof GraphQLError) return errorCodeOf(error);
  const { code, name } = error as { code?: string; name?: string };
  return code ?? name ?? 'error';
}
