import type { GraphQLError } from 'graphql';
import { gatewayError, type ErrorCode } from '../shared/errors.js';

/** ISC's `ErrorResponseDto`, and the other error shapes ISC answers with (401, 429). */
interface IscErrorBody {
  detailCode?: string;
  trackingId?: string;
  messages?: { text?: string }[];
  causes?: { text?: string }[];
  error?: string;
  message?: string;
}

function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 409:
    case 422:
      return 'BAD_USER_INPUT';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 429:
      return 'RATE_LIMITED';
    default:
      return 'UPSTREAM_ERROR';
  }
}

function messageText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim().slice(0, 500) || undefined;
  if (!body || typeof body !== 'object') return undefined;
  const dto = body as IscErrorBody;
  const text = dto.messages?.find((m) => m.text)?.text ?? dto.causes?.find((c) => c.text)?.text ?? dto.error ?? dto.message;
  return typeof text === 'string' ? text.trim() : undefined;
}

/**
 * Maps an ISC error answer to a GraphQL error that keeps what support needs: the status, ISC's
 * `trackingId` and `detailCode`, and ISC's own message text.
 */
export function upstreamError(status: number, body: unknown, retryAfter?: string): GraphQLError {
  const dto = body && typeof body === 'object' ? (body as IscErrorBody) : {};
  const text = messageText(body);
  return gatewayError(codeForStatus(status), `ISC answered ${status}${text ? `: ${text}` : ''}`, {
    httpStatus: status,
    trackingId: typeof dto.trackingId === 'string' ? dto.trackingId : undefined,
    detailCode: typeof dto.detailCode === 'string' ? dto.detailCode : undefined,
    retryAfter: status === 429 ? retryAfter : undefined,
  });
}
