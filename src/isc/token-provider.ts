import type { Got } from 'got';
import { gatewayError } from '../shared/errors.js';
import { postTokenForm, tokenEndpointFailure, tokenFields } from './token-endpoint.js';

export interface IssuedToken {
  accessToken: string;
  /** Lifetime in seconds, from the token response's `expires_in`. */
  expiresIn: number;
}

export interface TokenProvider {
  /** A valid access token for the gateway's own OAuth client. */
  getToken(): Promise<string>;
  /** Drops `token` from the cache after ISC refused it (a newer cached token is kept). */
  invalidate(token: string): void;
}

/** Refresh ahead when less than 10% of the lifetime or 60 s remains, whichever is smaller. */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(lifetimeMs * 0.1, 60_000);
}

/**
 * Caches the client-credentials token. Concurrent callers on a cold or expired cache share one
 * token request (single flight). In the refresh-ahead window the current, still valid token is
 * served while one background request fetches the next, so no caller waits for a refresh.
 */
export function createTokenProvider(requestToken: () => Promise<IssuedToken>, now: () => number = Date.now): TokenProvider {
  let cached: { token: string; expiresAt: number; refreshAt: number } | undefined;
  let inFlight: Promise<string> | undefined;

  function refresh(): Promise<string> {
    inFlight ??= requestToken()
      .then(({ accessToken, expiresIn }) => {
        const lifetimeMs = expiresIn * 1000;
        const issuedAt = now();
        cached = { token: accessToken, expiresAt: issuedAt + lifetimeMs, refreshAt: issuedAt + lifetimeMs - refreshMarginMs(lifetimeMs) };
        return accessToken;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  }

  return {
    async getToken() {
      const t = now();
      if (cached && t < cached.expiresAt) {
        if (t >= cached.refreshAt) refresh().catch(() => undefined); // the current token is still good
        return cached.token;
      }
      return refresh();
    },
    invalidate(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

/** After a failed token request, the next waits 1 s, then 2, 4… up to 60 s (a success resets it). */
export function failureBackoffMs(failures: number): number {
  return Math.min(60_000, 1_000 * 2 ** Math.max(0, failures - 1));
}

/**
 * The token exchange with a backoff after failures: until it has passed, callers get the last
 * failure without a request. Refused credentials must not turn every operation (or every anonymous
 * readiness probe) into a token request that carries the client secret.
 */
export function withFailureBackoff(requestToken: () => Promise<IssuedToken>, now: () => number = Date.now): () => Promise<IssuedToken> {
  let failed: { error: unknown; retryAt: number; count: number } | undefined;
  return async () => {
    if (failed && now() < failed.retryAt) throw failed.error;
    try {
      const issued = await requestToken();
      failed = undefined;
      return issued;
    } catch (error) {
      const count = (failed?.count ?? 0) + 1;
      failed = { error, count, retryAt: now() + failureBackoffMs(count) };
      throw error;
    }
  };
}

/**
 * The OAuth 2 client-credentials exchange against `{SAIL_BASE_URL}/oauth/token`. Errors never
 * carry the client secret: they are written in token-endpoint.ts and name only the endpoint's origin.
 */
export function clientCredentialsExchange(
  http: Got,
  tokenUrl: string,
  clientId: string,
  clientSecret: string,
  timeoutMs: number,
): () => Promise<IssuedToken> {
  const origin = new URL(tokenUrl).origin;
  const form = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };
  return async () => {
    const { status, body } = await postTokenForm(http, tokenUrl, form, timeoutMs);
    if (status === 400 || status === 401) {
      throw gatewayError(
        'UNAUTHENTICATED',
        `ISC refused the gateway client credentials (check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET; token endpoint ${origin}, from SAIL_BASE_URL)`,
        { httpStatus: status, origin },
      );
    }
    if (status !== 200) throw tokenEndpointFailure(tokenUrl, status);
    const { accessToken, expiresInS } = tokenFields(tokenUrl, body);
    return { accessToken, expiresIn: expiresInS };
  };
}
