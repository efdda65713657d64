import { createHash, randomBytes } from 'node:crypto';
import type { Got } from 'got';
import { gatewayError } from '../../shared/errors.js';

/**
 * ISC's authorization-code flow for one confidential OAuth client: the URL a browser signs in at,
 * and the two token requests (code, refresh). Like the client-credentials exchange, no redirect is
 * followed (it would re-post the client secret elsewhere) and errors name no secret.
 */
export interface TokenSet {
  accessToken: string;
  expiresInMs: number;
  /** ISC may or may not send a new one on refresh: the session keeps the last it got. */
  refreshToken: string | undefined;
}

/** ISC refused the code or the refresh token (400/401): the sign-in is over. */
export class SignInRefused extends Error {}

export interface SignInClient {
  clientId: string;
  redirectUri: string;
  authorizeUrl(state: string, verifier: string | undefined): string;
  exchangeCode(code: string, verifier: string | undefined): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
}

export interface SignInClientOptions {
  clientId: string;
  clientSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  redirectUri: string;
  scopes: string | undefined;
  /** The token requests' HTTP client (proxy, timeout). */
  http: Got;
  timeoutMs: number;
}

/** A PKCE verifier (43 characters) and its S256 challenge. */
export function pkceVerifier(): string {
  return randomBytes(32).toString('base64url');
}

export const pkceChallenge = (verifier: string): string => createHash('sha256').update(verifier).digest('base64url');

export function createSignInClient(options: SignInClientOptions): SignInClient {
  const origin = new URL(options.tokenUrl).origin;
  const tokenRequest = async (form: Record<string, string>): Promise<TokenSet> => {
    let response;
    try {
      response = await options.http.post(options.tokenUrl, {
        form: { ...form, client_id: options.clientId, client_secret: options.clientSecret },
        throwHttpErrors: false,
        followRedirect: false,
        responseType: 'text',
      });
    } catch (error) {
      const reason = (error as { code?: string }).code ?? 'network error';
      const failure = reason === 'ETIMEDOUT' ? `did not answer within ${options.timeoutMs} ms` : `could not be reached (${reason})`;
      throw gatewayError('UPSTREAM_ERROR', `ISC token endpoint at ${origin} ${failure}`, { origin });
    }
    if (response.statusCode === 400 || response.statusCode === 401)
      throw new SignInRefused(`ISC refused the ${form.grant_type} (${response.statusCode})`);
    if (response.statusCode !== 200) {
      throw gatewayError('UPSTREAM_ERROR', `ISC token endpoint answered ${response.statusCode}`, { httpStatus: response.statusCode });
    }
    return tokenSet(response.body);
  };
  return {
    clientId: options.clientId,
    redirectUri: options.redirectUri,
    authorizeUrl(state, verifier) {
      const url = new URL(options.authorizeUrl);
      url.searchParams.set('response_type', 'code');
      url.searchParams.set('client_id', options.clientId);
      url.searchParams.set('redirect_uri', options.redirectUri);
      url.searchParams.set('state', state);
      if (options.scopes) url.searchParams.set('scope', options.scopes);
      if (verifier) {
        url.searchParams.set('code_challenge', pkceChallenge(verifier));
        url.searchParams.set('code_challenge_method', 'S256');
      }
      return url.toString();
    },
    exchangeCode: (code, verifier) =>
      tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri, ...(verifier && { code_verifier: verifier }) }),
    refresh: (refreshToken) => tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken }),
  };
}

function tokenSet(text: string): TokenSet {
  let body: { access_token?: unknown; expires_in?: unknown; refresh_token?: unknown } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // handled below
  }
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number' || body.expires_in <= 0) {
    throw gatewayError('UPSTREAM_ERROR', 'ISC token endpoint answered without access_token/expires_in');
  }
  return {
    accessToken: body.access_token,
    expiresInMs: body.expires_in * 1000,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
  };
}

/** Who signed in, from the access token's claims as ISC issued them: for display and audit only, never for authorization. */
export function identityOf(accessToken: string): { id: string; name: string } {
  try {
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
    const id = typeof claims.identity_id === 'string' ? claims.identity_id : 'unknown';
    const name = typeof claims.user_name === 'string' ? claims.user_name : id;
    return { id, name };
  } catch {
    return { id: 'unknown', name: 'unknown' };
  }
}
