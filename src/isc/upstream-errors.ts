import type { GraphQLError } from 'graphql';
import { gatewayError, type ErrorCode } from '../shared/errors.js';

/** ISC's `ErrorResponseDto`, and the other error shapes ISC answers with (401, 429). */
interface IscErrorBody {
  detailCode?: string;
  trackingId?: string;
  messages?: unknown;
  causes?: unknown;
  error?: string;
  message?: string;
}

/** ISC's detail is kept for the caller, within bounds: an error answer must not grow without end. */
export const MAX_ERROR_DETAILS = 10;
export const MAX_ERROR_DETAIL_CHARS = 1000;

export interface ErrorDetail {
  text: string;
  locale?: string;
}

/** The `messages[]` or `causes[]` of an ISC error: text and locale of at most 10 entries, each text at most 1,000 characters. */
export function errorDetails(entries: unknown): ErrorDetail[] | undefined {
  if (!Array.isArray(entries)) return undefined;
  const details: ErrorDetail[] = [];
  for (const entry of entries) {
    if (details.length >= MAX_ERROR_DETAILS) break;
    const { text, locale } = (entry ?? {}) as { text?: unknown; locale?: unknown };
    if (typeof text !== 'string') continue;
    details.push({
      text: text.length > MAX_ERROR_DETAIL_CHARS ? `${text.slice(0, MAX_ERROR_DETAIL_CHARS - 1)}…` : text,
      ...(typeof locale === 'string' && locale.length <= 35 && { locale }),
    });
  }
  return details.length > 0 ? details : undefined;
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
  const text = errorDetails(dto.messages)?.[0]?.text ?? errorDetails(dto.causes)?.[0]?.text ?? dto.error ?? dto.message;
  return typeof text === 'string' ? text.trim().slice(0, MAX_ERROR_DETAIL_CHARS) : undefined;
}

/**
 * Maps an ISC error answer to a GraphQL error that keeps what support needs: the status, ISC's
 * `trackingId` and `detailCode`, and ISC's own message text.
 */
export function upstreamError(status: number, body: unknown, retryAfter?: number): GraphQLError {
  const dto = body && typeof body === 'object' ? (body as IscErrorBody) : {};
  const text = messageText(body);
  return gatewayError(codeForStatus(status), `ISC answered ${status}${text ? `: ${text}` : ''}`, {
    httpStatus: status,
    trackingId: typeof dto.trackingId === 'string' ? dto.trackingId : undefined,
    detailCode: typeof dto.detailCode === 'string' ? dto.detailCode : undefined,
    messages: errorDetails(dto.messages),
    causes: errorDetails(dto.causes),
    retryAfter: status === 429 ? retryAfter : undefined,
  });
}
