import CircuitBreaker from 'opossum';
import type { BreakerState, IscAnswer, IscCall, Next, Stage } from '../types.js';
import { AnswerTooLarge } from './transport.js';

export interface BreakerOptions {
  /** Opens when this percentage of calls in the rolling window failed… */
  errorThresholdPercentage: number;
  /** …and at least this many calls were made in it. */
  volumeThreshold: number;
  /** How long it stays open before one trial call. */
  resetTimeoutMs: number;
  rollingWindowMs: number;
}

/** A 5xx as an error, so the breaker counts it; unwrapped again right after. */
class ServerFailure extends Error {
  constructor(readonly answer: IscAnswer) {
    super(`ISC answered ${answer.status}`);
  }
}

export interface Breaker {
  stage: Stage;
  closed(): boolean;
  state(): BreakerState;
}

/**
 * The circuit breaker (opossum): after repeated 5xx answers and transport failures it refuses
 * calls for a while (`EOPENBREAKER`, mapped by the retry stage) instead of sending more to a
 * failing ISC. A cancelled read or an answer over the size cap says nothing about ISC's health.
 */
export function circuitBreaker(options: BreakerOptions): Breaker {
  const breaker = new CircuitBreaker(
    async (call: IscCall, next: Next) => {
      const answer = await next(call);
      if (answer.status >= 500) throw new ServerFailure(answer);
      return answer;
    },
    {
      timeout: false, // every call has its own timeout
      errorThresholdPercentage: options.errorThresholdPercentage,
      volumeThreshold: options.volumeThreshold,
      resetTimeout: options.resetTimeoutMs,
      rollingCountTimeout: options.rollingWindowMs,
      errorFilter: (error: unknown) => error instanceof AnswerTooLarge || (error as { name?: string }).name === 'AbortError',
    },
  );
  return {
    stage: (call, next) =>
      breaker.fire(call, next).then(
        (answer) => answer,
        (error: unknown) => {
          if (error instanceof ServerFailure) return error.answer;
          throw error;
        },
      ),
    closed: () => !breaker.opened,
    state: () => (breaker.halfOpen ? 'half-open' : breaker.opened ? 'open' : 'closed'),
  };
}
