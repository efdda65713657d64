import type { CombinedError } from '@urql/core';

/** One error as the page shows it: the gateway's `extensions` say what happened and where. */
export interface ErrorDetail {
  /** `extensions.code` (`FORBIDDEN`, `RATE_LIMITED`, `BAD_USER_INPUT`, …), `NETWORK_ERROR` when no answer came. */
  code: string;
  message: string;
  /** ISC's HTTP status when ISC refused (`extensions.httpStatus`). */
  httpStatus?: number;
  /** ISC's `trackingId`: what ISC support asks for. */
  trackingId?: string;
  /** The field the error belongs to (`path`), for a partial answer. */
  path?: string;
}

export interface ErrorReport {
  details: ErrorDetail[];
  /** The gateway's `X-Request-Id` header: finds the request in the gateway's logs. */
  requestId?: string;
  /** Seconds to wait before trying again, when the gateway answered RATE_LIMITED. */
  retryAfter?: number;
  /** Whether trying again could give another answer: not when ISC refused the rights, or the input was wrong. */
  retryable: boolean;
}

/** Codes of answers that may change by themselves: busy, slow or unreachable, not a refusal. */
const PASSING = new Set([
  'RATE_LIMITED',
  'DEADLINE_EXCEEDED',
  'UPSTREAM_ERROR',
  'UPSTREAM_UNAVAILABLE',
  'SESSION_STORE_UNAVAILABLE',
  'NETWORK_ERROR',
]);

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const number = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** The `Retry-After` header in seconds (only its delta-seconds form). */
function retryAfterHeader(response: Response | undefined): number | undefined {
  const value = response?.headers.get('retry-after');
  return value && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** Reads an urql error into what the page shows. */
export function describeError(error: CombinedError): ErrorReport {
  const response = error.response as Response | undefined;
  const details: ErrorDetail[] = error.graphQLErrors.map((e) => ({
    code: text(e.extensions?.code) ?? 'GRAPHQL_ERROR',
    message: e.message,
    httpStatus: number(e.extensions?.httpStatus),
    trackingId: text(e.extensions?.trackingId),
    path: e.path?.join('.'),
  }));
  if (error.networkError) details.push({ code: 'NETWORK_ERROR', message: error.networkError.message });
  const limited = error.graphQLErrors.filter((e) => e.extensions?.code === 'RATE_LIMITED');
  const retryAfter =
    limited.length > 0 ? Math.max(0, ...limited.map((e) => number(e.extensions?.retryAfter) ?? 0), retryAfterHeader(response) ?? 0) : undefined;
  const retryable = details.length > 0 && details.every((d) => PASSING.has(d.code));
  return { details, requestId: text(response?.headers.get('x-request-id')), retryAfter, retryable };
}

/** What a code means for the person in front of the page. */
export const HINTS: Readonly<Record<string, string>> = {
  FORBIDDEN: 'ISC refused: your user lacks the rights for this. Quote the tracking id to ISC support.',
  UNAUTHENTICATED: 'Your session has ended: sign in again.',
  RATE_LIMITED: 'ISC’s rate limit for this tenant is used up for now.',
  PERSISTED_QUERY_NOT_ALLOWED: 'The gateway does not run this app’s documents: start it with `npm run example`.',
  PERSISTED_QUERY_NOT_FOUND: 'The gateway does not run this app’s documents: start it with `npm run example`.',
  NETWORK_ERROR: 'No answer from the gateway.',
};
