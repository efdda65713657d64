import { HeaderMap } from '@apollo/server';
import { GraphQLError, type ASTNode } from 'graphql';

/** What one `extensions.code` means, and the HTTP status of an answer it refuses as a whole. */
export interface ErrorCodeEntry {
  /**
   * The HTTP status when the error refuses the whole request; undefined when it only comes inside
   * a result, beside any data. Inside a result (a resolver's error) every code comes with HTTP 200.
   */
  status: number | undefined;
  meaning: string;
}

/**
 * Every `extensions.code` the gateway answers with: its own, and Apollo Server's that reach the
 * caller. docs/graph.md lists this table (test/docs/error-codes-docs.test.ts checks both ways).
 */
export const ERROR_CODES = {
  BAD_USER_INPUT: {
    status: 400,
    meaning: "Input refused by the gateway's checks before any ISC call, or ISC's 400, 409 or 422; 400 for variables that do not fit the operation",
  },
  UNAUTHENTICATED: { status: 401, meaning: 'No valid API key, bearer token or live session; in a result, ISC answered 401' },
  FORBIDDEN: { status: 403, meaning: 'A signed-in request from an origin not allowed; in a result, ISC answered 403' },
  NOT_FOUND: { status: undefined, meaning: 'ISC answered 404 to a mutation (a single-item query answers null instead)' },
  RATE_LIMITED: {
    status: 429,
    meaning: "ISC answered 429, or the rate budget is in use; 429 when the operation's estimated calls cannot fit the budget (with retryAfter)",
  },
  UPSTREAM_ERROR: { status: undefined, meaning: 'ISC answered 5xx, a redirect or an unusable answer, or could not be reached' },
  UPSTREAM_UNAVAILABLE: { status: undefined, meaning: 'The circuit breaker is open: ISC is not called until it recovers' },
  UPSTREAM_OUTCOME_UNKNOWN: { status: undefined, meaning: 'A write whose outcome cannot be known (its answer was lost)' },
  UPSTREAM_RESPONSE_TOO_LARGE: { status: undefined, meaning: "ISC's answer is larger than the gateway reads" },
  DEADLINE_EXCEEDED: { status: undefined, meaning: "The operation's deadline passed before ISC answered" },
  SESSION_STORE_UNAVAILABLE: { status: 503, meaning: 'The session store (Redis) does not answer' },
  SHUTTING_DOWN: { status: 503, meaning: 'The gateway is draining (with Retry-After): send the request to another replica' },
  BAD_REQUEST: {
    status: 400,
    meaning: 'The HTTP request is malformed (URL, JSON, batch, persisted-query extension), too large (413) or not UTF-8 (415)',
  },
  GRAPHQL_PARSE_FAILED: { status: 400, meaning: 'The document does not parse, or has more than SAIL_MAX_TOKENS tokens' },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    meaning: 'The operation does not fit the schema, is over a depth, alias, directive or root-field limit, or introspects with introspection off',
  },
  OPERATION_RESOLUTION_FAILURE: { status: 400, meaning: 'Which operation to run cannot be told (operationName missing or unknown)' },
  QUERY_TOO_COMPLEX: { status: 400, meaning: 'The operation would make more ISC calls than SAIL_MAX_COST' },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, meaning: 'The hash names no stored query: send the query with its hash' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 200, meaning: 'Automatic persisted queries are off (SAIL_APQ_CACHE_BYTES=0)' },
  PERSISTED_QUERY_NOT_ALLOWED: { status: 400, meaning: 'The operation is not in the trusted documents manifest (SAIL_TRUSTED_DOCUMENTS)' },
  INTERNAL_SERVER_ERROR: { status: 500, meaning: "A fault in the gateway; in a result, the log names it by the error's errorId" },
} as const satisfies Record<string, ErrorCodeEntry>;

/** The `extensions.code` values this gateway answers with. */
export type ErrorCode = keyof typeof ERROR_CODES;
/** The codes that can refuse a whole request (they have an HTTP status). */
export type RefusalCode = { [C in ErrorCode]: (typeof ERROR_CODES)[C]['status'] extends number ? C : never }[ErrorCode];

export interface UpstreamErrorDetails {
  httpStatus?: number;
  trackingId?: string;
  detailCode?: string;
}

/**
 * An error with a stable `extensions.code`. The HTTP status of the GraphQL response itself stays
 * 200 (partial results are normal in GraphQL) except where a whole request is refused.
 */
export function gatewayError(code: ErrorCode, message: string, extensions: UpstreamErrorDetails & Record<string, unknown> = {}): GraphQLError {
  const clean = Object.fromEntries(Object.entries(extensions).filter(([, v]) => v !== undefined));
  return new GraphQLError(message, { extensions: { code, ...clean } });
}

/** An error that refuses the whole request: Apollo answers it with the code's HTTP status (and these headers). */
export function refusalError(
  code: RefusalCode,
  message: string,
  extensions: Record<string, unknown> = {},
  headers?: Record<string, string>,
): GraphQLError {
  const status = ERROR_CODES[code].status;
  return gatewayError(code, message, { ...extensions, http: headers ? { status, headers: new HeaderMap(Object.entries(headers)) } : { status } });
}

/**
 * An error without a code, for validation rules and scalars only: graphql-js and Apollo wrap
 * these and code them where they surface (GRAPHQL_VALIDATION_FAILED from a rule or a literal,
 * BAD_USER_INPUT from a variable, INTERNAL_SERVER_ERROR from an answer).
 */
export function uncodedError(
  message: string,
  options: { nodes?: ASTNode | readonly ASTNode[]; extensions?: Record<string, unknown> } = {},
): GraphQLError {
  return new GraphQLError(message, options);
}

export function badInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, extra);
}

/** A request the gateway refuses itself, before Apollo: the HTTP status and the JSON body to send. */
export interface Refusal {
  status: number;
  body: { errors: { message: string; extensions: Record<string, unknown> }[] };
}

/** A refusal with one error; the status is the code's unless the refusal needs a more precise one (413, 415). */
export function httpRefusal(
  code: RefusalCode,
  message: string,
  extensions: Record<string, unknown> = {},
  status: number = ERROR_CODES[code].status,
): Refusal {
  return { status, body: { errors: [{ message, extensions: { code, ...extensions } }] } };
}

/** The `extensions.code` of an error, `INTERNAL_SERVER_ERROR` for anything the gateway did not raise on purpose. Never its message (it may quote input). */
export function errorCodeOf(error: unknown): string {
  const code = error instanceof GraphQLError ? error.extensions.code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}

export function isErrorCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof GraphQLError && error.extensions.code === code;
}

/** Single-item reads answer null for a 404 instead of an error. */
export async function nullIfNotFound<T>(request: Promise<{ body: T }>): Promise<T | null> {
  try {
    return (await request).body;
  } catch (error) {
    if (isErrorCode(error, 'NOT_FOUND')) return null;
    throw error;
  }
}
