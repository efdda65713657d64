import { setTimeout as sleep } from 'node:timers/promises';
import { GraphQLError } from 'graphql';
import { gatewayError } from '../../shared/errors.js';
import { deadlineExceeded, deadlineWaitingFor } from '../governor.js';
import { decide, isIdempotent, type Failure, type RetryOptions } from '../retry-policy.js';
import type { IscAnswer, IscCall, Next, Stage } from '../types.js';
import { AnswerTooLarge } from './transport.js';

/** Failures before anything reached ISC: safe to retry for any method. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const NOT_SENT_TIMEOUT_EVENTS = new Set(['lookup', 'connect', 'secureConnect']);

/** Statuses after which a retried DELETE's 404 may mean the earlier attempt was applied. */
const MAY_HAVE_APPLIED = new Set([500, 502, 503, 504]);

function transportFailure(error: unknown): Failure & { kind: 'transport' } {
  const { code, event } = error as { code?: string; event?: string };
  const sent = !(NOT_SENT_CODES.has(code ?? '') || (code === 'ETIMEDOUT' && NOT_SENT_TIMEOUT_EVENTS.has(event ?? '')));
  return { kind: 'transport', sent };
}

/** What the retry stage keeps across the attempts of one call. */
interface Attempts {
  attempt: number;
  /** 429s are bounded by the operation's wait budget, not by the attempts allowed for 5xx and transport failures. */
  rateLimited: number;
  /** An earlier attempt may have been applied though its answer was lost. */
  mayHaveApplied: boolean;
  idempotent: boolean;
}

/** Either wait and try again, or stop with this answer (or this error). */
type Verdict = { retryAfterMs: number; reason: string } | { answer: IscAnswer } | { error: GraphQLError };

/**
 * The retry policy (retry-policy.ts) applied to one call: 5xx and transport failures of
 * idempotent calls with backoff and bounded attempts; 429s after their `Retry-After` while the
 * operation's wait budget lasts. The deadline is checked here, before every attempt and before
 * every wait. Raw failures from below become coded errors here; answers with an error status go
 * up as they are (the outcome stage maps them).
 */
export function retryPolicy(options: RetryOptions, origin: string): Stage {
  return async (call, next) => {
    const state: Attempts = {
      attempt: 0,
      rateLimited: 0,
      mayHaveApplied: false,
      idempotent: isIdempotent(call.request.method, call.request.jsonPatch),
    };
    for (;;) {
      if (call.scope.signal.aborted && call.request.method === 'GET') throw state.attempt > 0 ? deadlineWaitingFor(origin) : deadlineExceeded();
      state.attempt++;
      const verdict = await attempt(call, next, state, options, origin);
      if ('answer' in verdict) return verdict.answer;
      if ('error' in verdict) throw verdict.error;
      for (const watch of call.watches) watch.retry?.({ attempt: state.attempt, reason: verdict.reason, delayMs: verdict.retryAfterMs });
      await sleep(verdict.retryAfterMs, undefined, { ref: false });
    }
  };
}

function attempt(call: IscCall, next: Next, state: Attempts, options: RetryOptions, origin: string): Promise<Verdict> {
  call.attempt = state.attempt; // the call object is this call's own: per-attempt fields are set in place
  return next(call).then(
    (answer) => afterAnswer(call, answer, state, options),
    (error: unknown) => afterFailure(call, error, state, options, origin),
  );
}

/** A transport failure's error names where the gateway tried to go (the origin only: never a path, token or secret). */
function afterFailure(call: IscCall, error: unknown, state: Attempts, options: RetryOptions, origin: string): Verdict {
  if (error instanceof GraphQLError) return { error };
  if (call.request.method === 'GET' && call.scope.signal.aborted) return { error: deadlineWaitingFor(origin) };
  if (error instanceof AnswerTooLarge) {
    const message = `ISC's answer was larger than ${error.maxBodyBytes} bytes (SAIL_MAX_UPSTREAM_BODY_BYTES); the gateway stopped reading it`;
    return { error: gatewayError('UPSTREAM_RESPONSE_TOO_LARGE', message, { maxBytes: error.maxBodyBytes }) };
  }
  const reason = (error as { code?: string }).code ?? 'network error';
  if (reason === 'EOPENBREAKER') {
    return {
      error: gatewayError('UPSTREAM_UNAVAILABLE', 'ISC is failing repeatedly; the gateway is not calling it for a few seconds (circuit open)'),
    };
  }
  const transport = transportFailure(error);
  state.mayHaveApplied ||= transport.sent;
  const decision = decide(transport, state.attempt - state.rateLimited, state.idempotent && !call.scope.background, options);
  if (decision.retry && Date.now() + decision.delayMs < call.scope.deadline) return { retryAfterMs: decision.delayMs, reason };
  if (transport.sent && !state.idempotent) {
    const message = `ISC at ${origin} did not answer (${reason}); the ${call.request.method} may or may not have been applied — check before repeating it`;
    return { error: gatewayError('UPSTREAM_OUTCOME_UNKNOWN', message, { origin }) };
  }
  return {
    error: gatewayError('UPSTREAM_ERROR', `ISC at ${origin} could not be reached (${reason}): check SAIL_BASE_URL and the network path to it`, {
      origin,
    }),
  };
}

function afterAnswer(call: IscCall, answer: IscAnswer, state: Attempts, options: RetryOptions): Verdict {
  if (answer.status < 400) return { answer };
  if (answer.status === 404 && call.request.method === 'DELETE' && state.mayHaveApplied) {
    // The earlier attempt deleted it: reporting NOT_FOUND would tell the caller the delete failed.
    return { answer: { ...answer, body: undefined, deletedByEarlierAttempt: true } };
  }
  if (answer.status === 429) {
    state.rateLimited++;
    const wait = answer.retryAfterMs ?? 0;
    const scope = call.scope;
    if (scope.background || wait > scope.rateLimitWaitLeftMs || Date.now() + wait >= scope.deadline) return { answer };
    scope.rateLimitWaitLeftMs -= wait;
    return { retryAfterMs: wait, reason: '429' };
  }
  state.mayHaveApplied ||= MAY_HAVE_APPLIED.has(answer.status);
  const failure: Failure = { kind: 'status', status: answer.status };
  const decision = decide(failure, state.attempt - state.rateLimited, state.idempotent && !call.scope.background, options);
  if (decision.retry && Date.now() + decision.delayMs < call.scope.deadline) return { retryAfterMs: decision.delayMs, reason: String(answer.status) };
  return { answer };
}
