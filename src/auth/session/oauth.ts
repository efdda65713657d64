import { createHash, randomBytes } from 'node:crypto';
import type { Got } from 'got';
import { postTokenForm, tokenEndpointFailure, tokenFields } from '../../isc/token-endpoint.js';

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
  const tokenRequest = async (form: Record<string, string>): Promise<TokenSet> => {
    const credentials = { client_id: options.clientId, client_secret: options.clientSecret };
    const { status, body } = await postTokenForm(options.http, options.tokenUrl, { ...form, ...credentials }, options.timeoutMs);
    if (status === 400 || status === 401) throw new SignInRefused(`ISC refused the ${form.grant_type} (${status})`);
    if (status !== 200) throw tokenEndpointFailure(options.tokenUrl, status);
    const { accessToken, expiresInS, refreshToken } = tokenFields(options.tokenUrl, body);
    return { accessToken, expiresInMs: expiresInS * 1000, refreshToken };
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
