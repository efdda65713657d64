import { gatewayError } from '../../shared/errors.js';
import { upstreamError } from '../upstream-errors.js';
import type { IscAnswer, Stage } from '../types.js';

/**
 * ISC answers may include an OAuth client's `secret`. It is removed from every answer except the
 * one that creates the client, before anything can log, cache or map it.
 */
function withoutSecrets(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutSecrets);
  if (body && typeof body === 'object' && 'secret' in body) {
    const { secret: _secret, ...rest } = body as Record<string, unknown>;
    return rest;
  }
  return body;
}

/** A 3xx: the gateway follows no redirect (the next host would get the bearer); the error names only the target's origin. */
function redirectRefused(status: number, location: string | string[] | undefined): Error {
  let where = 'no location';
  try {
    if (typeof location === 'string') where = new URL(location, 'https://isc.invalid').origin;
  } catch {
    where = 'an unreadable location';
  }
  return gatewayError('UPSTREAM_ERROR', `ISC answered ${status}, a redirect to ${where}; the gateway follows no redirects (check SAIL_BASE_URL)`, {
    httpStatus: status,
  });
}

/**
 * The call's final answer as the caller gets it: a success with its body (secrets removed), or
 * the error status as a coded GraphQL error that keeps ISC's status, trackingId and messages.
 */
export const outcome: Stage = (call, next) => next(call).then((answer) => finalAnswer(call.request.keepSecret === true, answer));

function finalAnswer(keepSecret: boolean, answer: IscAnswer): IscAnswer {
  if (answer.deletedByEarlierAttempt) return answer;
  if (answer.status >= 300 && answer.status < 400) throw redirectRefused(answer.status, answer.headers.location);
  if (answer.status < 400) {
    if (!keepSecret) answer.body = withoutSecrets(answer.body); // the answer object is this call's own
    return answer;
  }
  const retryAfter = answer.status === 429 ? Math.max(1, Math.ceil((answer.retryAfterMs ?? 1000) / 1000)) : undefined;
  throw upstreamError(answer.status, withoutSecrets(answer.body), retryAfter);
}
