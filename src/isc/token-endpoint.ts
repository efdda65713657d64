import type { Got } from 'got';
import type { GraphQLError } from 'graphql';
import { gatewayError } from '../shared/errors.js';

/**
 * ISC's `/oauth/token`, as both token clients call it (the gateway's client credentials and the
 * sign-in's code and refresh grants): a form post that follows no redirect (it would re-post the
 * client secret elsewhere), and errors that name the origin asked and the setting that chose it —
 * never a path, a form field or a secret. A host that answers but is not ISC's API host (the
 * sign-in host, a typo'd proxy) is the commonest mistake, so non-ISC answers say so.
 */
export interface TokenAnswer {
  status: number;
  body: string;
}

const CHECK_HOST = "check SAIL_BASE_URL: it must be the tenant's API host, https://{tenant}.api.identitynow.com";

export async function postTokenForm(http: Got, tokenUrl: string, form: Record<string, string>, timeoutMs: number): Promise<TokenAnswer> {
  const origin = new URL(tokenUrl).origin;
  let response;
  try {
    response = await http.post(tokenUrl, { form, throwHttpErrors: false, followRedirect: false, responseType: 'text' });
  } catch (error) {
    const reason = (error as { code?: string }).code ?? 'network error';
    const failure = reason === 'ETIMEDOUT' ? `did not answer within ${timeoutMs} ms (SAIL_TOKEN_TIMEOUT_MS)` : `could not be reached (${reason})`;
    throw gatewayError('UPSTREAM_ERROR', `ISC token endpoint at ${origin} ${failure}: check SAIL_BASE_URL and the network path to it`, { origin });
  }
  if (response.statusCode >= 300 && response.statusCode < 400) {
    throw gatewayError(
      'UPSTREAM_ERROR',
      `ISC token endpoint at ${origin} answered ${response.statusCode}, a redirect to ${originOf(response.headers.location)}; the gateway follows no redirects (${CHECK_HOST})`,
      { httpStatus: response.statusCode, origin },
    );
  }
  return { status: response.statusCode, body: response.body };
}

/** An answer that is neither a token nor a refusal of the credentials. */
export function tokenEndpointFailure(tokenUrl: string, status: number): GraphQLError {
  const origin = new URL(tokenUrl).origin;
  if (status === 429) {
    return gatewayError('RATE_LIMITED', `ISC token endpoint at ${origin} answered 429: too many token requests, try again shortly`, {
      httpStatus: status,
      origin,
    });
  }
  // 502–504 come and go; anything else (404, 405, 501…) means this is not ISC's token endpoint.
  const hint = status >= 502 && status <= 504 ? `ISC may be briefly unavailable; if it lasts, ${CHECK_HOST}` : `is this ISC? ${CHECK_HOST}`;
  return gatewayError('UPSTREAM_ERROR', `ISC token endpoint at ${origin} answered ${status}: ${hint}`, { httpStatus: status, origin });
}

/** The token and its lifetime from a 200 answer. */
export function tokenFields(tokenUrl: string, text: string): { accessToken: string; expiresInS: number; refreshToken: string | undefined } {
  let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // handled below as a missing token
  }
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
    const origin = new URL(tokenUrl).origin;
    throw gatewayError('UPSTREAM_ERROR', `ISC token endpoint at ${origin} answered without access_token/expires_in: is this ISC? ${CHECK_HOST}`, {
      origin,
    });
  }
  return {
    accessToken: body.access_token,
    expiresInS: body.expires_in,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

/** The origin of a redirect's target, the only part an error may name (never a path or query). */
function originOf(location: string | undefined): string {
  if (!location) return 'no location';
  try {
    return new URL(location, 'https://isc.invalid').origin;
  } catch {
    return 'an unreadable location';
  }
}
