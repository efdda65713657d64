import { GraphQLError } from 'graphql';
import type { CallWatch, UpstreamAttemptOutcome, UpstreamObserver } from '../types.js';
import type { IscAnswer, Stage } from '../types.js';

/**
 * The start and end of each call, for every observer (see observer.ts): the watches they answer
 * ride on the call, so the stages below can report attempts and retries to them.
 */
export function observeCalls(observers: readonly UpstreamObserver[]): Stage {
  return async (call, next) => {
    const watches: CallWatch[] = [];
    const start = { method: call.request.method, route: call.route, credential: call.credential.kind, scope: call.scope };
    for (const observer of observers) {
      const watch = observer.start(start);
      if (watch) watches.push(watch);
    }
    if (watches.length === 0) return next(call);
    const started = performance.now();
    let answer: IscAnswer;
    try {
      answer = await next({ ...call, watches });
    } catch (error) {
      for (const watch of watches) watch.end?.({ error, durationMs: performance.now() - started });
      throw error;
    }
    for (const watch of watches) watch.end?.({ status: answer.status, cached: answer.cached, durationMs: performance.now() - started });
    return answer;
  };
}

/** Each HTTP attempt, for the watches of its call: they may add request headers (trace context) and hear the outcome. */
export const observeAttempts: Stage = async (call, next) => {
  if (call.watches.length === 0) return next(call);
  const headers = { ...call.headers };
  const attempt = { method: call.request.method, route: call.route, attempt: call.attempt };
  const finishers: ((outcome: UpstreamAttemptOutcome) => void)[] = [];
  for (const watch of call.watches) {
    const finish = watch.attempt?.(attempt, headers);
    if (finish) finishers.push(finish);
  }
  const started = performance.now();
  let outcome: UpstreamAttemptOutcome = { durationMs: 0 };
  try {
    const answer = await next({ ...call, headers });
    outcome = { status: answer.status, durationMs: performance.now() - started };
    return answer;
  } catch (error) {
    outcome = { error: failureCode(error), durationMs: performance.now() - started };
    throw error;
  } finally {
    for (const finish of finishers) finish(outcome);
  }
};

/** A transport failure's code (ECONNRESET, EOPENBREAKER…), else the error's name. */
function failureCode(error: unknown): string {
  if (error instanceof GraphQLError) return typeof error.extensions.code === 'string' ? error.extensions.code : 'GraphQLError';
  const { code, name } = error as { code?: string; name?: string };
  return code ?? name ?? 'error';
}
