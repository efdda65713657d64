import type { Got } from 'got';
import { gatewayError } from '../shared/errors.js';

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
export function createTokenProvider(
  requestToken: () => Promise<IssuedToken>,
  now: () => number = Date.now,
): TokenProvider {
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

/**
 * The OAuth 2 client-credentials exchange against `{SAIL_BASE_URL}/oauth/token`. Errors never
 * carry the client secret: the message is written here, not taken from the HTTP layer.
 */
export function clientCredentialsExchange(
  http: Got,
  tokenUrl: string,
  clientId: string,
  clientSecret: string,
): () => Promise<IssuedToken> {
  return async () => {
    let response;
    try {
      response = await http.post(tokenUrl, {
        form: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
        throwHttpErrors: false,
        responseType: 'text',
      });
    } catch (error) {
      throw gatewayError('UPSTREAM_ERROR', `ISC token endpoint unreachable: ${(error as { code?: string }).code ?? 'network error'}`);
    }
    if (response.statusCode === 400 || response.statusCode === 401) {
      throw gatewayError('UNAUTHENTICATED', 'ISC refused the gateway client credentials (check SAIL_CLIENT_ID and SAIL_CLIENT_SECRET)', {
        httpStatus: response.statusCode,
      });
    }
    if (response.statusCode !== 200) {
      throw gatewayError(response.statusCode === 429 ? 'RATE_LIMITED' : 'UPSTREAM_ERROR', `ISC token endpoint answered ${response.statusCode}`, {
        httpStatus: response.statusCode,
      });
    }
    let body: { access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = JSON.parse(response.body) as typeof body;
    } catch {
      // handled below as a missing token
    }
    if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
      throw gatewayError('UPSTREAM_ERROR', 'ISC token endpoint answered without access_token/expires_in');
    }
    return { accessToken: body.access_token, expiresIn: body.expires_in };
  };
}
