/**
 * When an ISC call may be tried again, and after how long. Pure functions; the ISC client applies
 * them. Policy:
 * - 429: any method (ISC did not process the request), after `Retry-After` (seconds or HTTP date)
 *   or exponential backoff with jitter, as long as the operation's rate-limit wait budget lasts.
 * - 502/503/504, connection resets and timeouts: only idempotent calls — GET, PUT, DELETE, and a
 *   JSON Patch whose every operation is `replace` or `test` — with bounded attempts and backoff.
 * - A POST (or a non-idempotent PATCH) that may have reached ISC is never retried: when its outcome
 *   cannot be known the error says so (UPSTREAM_OUTCOME_UNKNOWN).
 */
export interface RetryOptions {
  /** Attempts for one call, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type Failure =
  | { kind: 'status'; status: number; retryAfterMs?: number }
  /** `sent`: the request may have reached ISC (timeout after connect, reset). */
  | { kind: 'transport'; sent: boolean };

export type Decision = { retry: true; delayMs: number; rateLimited: boolean } | { retry: false };

const RETRYABLE_STATUS = new Set([502, 503, 504]);

export function isIdempotent(method: string, jsonPatch?: readonly { op: string }[]): boolean {
  if (method === 'GET' || method === 'PUT' || method === 'DELETE' || method === 'HEAD') return true;
  if (method === 'PATCH') return !!jsonPatch && jsonPatch.every((op) => op.op === 'replace' || op.op === 'test');
  return false;
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with full jitter: a random delay up to base·2^(attempt-1), capped. */
export function backoffMs(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function decide(failure: Failure, attempt: number, idempotent: boolean, options: RetryOptions, random: () => number = Math.random): Decision {
  if (failure.kind === 'status' && failure.status === 429) {
    // Rate-limit waits are bounded by the operation's wait budget, not by the attempt count.
    return { retry: true, delayMs: failure.retryAfterMs ?? backoffMs(attempt, options, random), rateLimited: true };
  }
  if (attempt >= options.maxAttempts) return { retry: false };
  const transient = failure.kind === 'transport' || RETRYABLE_STATUS.has(failure.status);
  // A transport failure before anything was sent (refused connection) is safe to retry for any method.
  const safe = idempotent || (failure.kind === 'transport' && !failure.sent);
  return transient && safe ? { retry: true, delayMs: backoffMs(attempt, options, random), rateLimited: false } : { retry: false };
}
