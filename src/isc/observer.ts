import type { Credential, OperationScope } from './types.js';

/**
 * The one way to watch ISC calls: metrics, traces, the per-operation call list of the request
 * log and the failed-call log all subscribe here. `start` runs once per call that gets past the
 * operation's own reads; the watch it answers hears of each HTTP attempt (in the async context of
 * the caller, so a tracer sees its parent span, and with the request headers it may add to), of
 * each retry, and of the call's end.
 */
export interface UpstreamObserver {
  start(call: CallStart): CallWatch | undefined;
}

export interface CallWatch {
  /** An attempt is about to be sent; the function answered hears its outcome. */
  attempt?(attempt: UpstreamAttempt, headers: Record<string, string>): ((outcome: UpstreamAttemptOutcome) => void) | undefined;
  /** The retry stage will try again after `delayMs`. */
  retry?(retry: UpstreamRetry): void;
  end?(end: CallEnd): void;
}

export interface CallStart {
  method: string;
  /** Route template: never identifiers or query strings. */
  route: string;
  credential: Credential['kind'];
  scope: OperationScope;
}

/** An attempt about to be sent, as observers see it. */
export interface UpstreamAttempt {
  method: string;
  route: string;
  /** 1 for the first attempt of a call. */
  attempt: number;
}

export interface UpstreamAttemptOutcome {
  status?: number;
  /** Transport failure code (ECONNRESET, ETIMEDOUT, EOPENBREAKER…) when there was no answer. */
  error?: string;
  durationMs: number;
}

export interface UpstreamRetry {
  /** The attempt that failed. */
  attempt: number;
  /** A status (`429`, `503`) or a transport failure code. */
  reason: string;
  delayMs: number;
}

export interface CallEnd {
  status?: number;
  /** Answered by the response cache. */
  cached?: boolean;
  /** The error the call ended with (a coded GraphQLError, as the caller gets it). */
  error?: unknown;
  durationMs: number;
}
