import { GraphQLError } from 'graphql';

/** The `extensions.code` values this gateway answers with. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'UPSTREAM_ERROR'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_OUTCOME_UNKNOWN'
  | 'UPSTREAM_RESPONSE_TOO_LARGE'
  | 'DEADLINE_EXCEEDED'
  | 'SESSION_STORE_UNAVAILABLE';

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

export function badInput(message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return gatewayError('BAD_USER_INPUT', message, extra);
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
