import { randomBytes } from 'node:crypto';

/** One entry of ErrorResponseDto.messages / causes. */
export interface ErrorMessageDto {
  locale: string | null;
  localeOrigin: 'DEFAULT' | 'REQUEST' | null;
  text: string;
}

/** ISC's error body for 400/403/404/405/406/500 answers. */
export interface ErrorResponseDto {
  detailCode: string;
  trackingId: string;
  messages: ErrorMessageDto[];
  causes: ErrorMessageDto[];
}

const DETAIL_CODES: Record<number, string> = {
  400: '400.1 Bad Request Content',
  403: '403 Forbidden',
  404: '404 Not found',
  405: '405 Method Not Allowed',
  406: '406 Not Acceptable',
  413: '413 Payload Too Large',
  500: '500.0 Internal Fault',
};

function message(text: string): ErrorMessageDto {
  return { locale: 'en-US', localeOrigin: 'DEFAULT', text };
}

export function errorBody(status: number, text: string, causes: string[] = []): ErrorResponseDto {
  return {
    detailCode: DETAIL_CODES[status] ?? `${status} Error`,
    // A fresh id per error, like ISC: support uses it to find the request in their logs.
    trackingId: randomBytes(16).toString('hex'),
    messages: [message(text)],
    causes: causes.map(message),
  };
}

/**
 * Thrown anywhere inside a route handler (or the helpers it calls); the server turns it into an
 * ErrorResponseDto answer with this status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly causes: string[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const badRequest = (text: string, causes?: string[]): ApiError => new ApiError(400, text, causes);
export const notFound = (text: string): ApiError => new ApiError(404, text);
