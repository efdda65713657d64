/**
 * ISC's OAuth client payloads, as received. The read shape has no `secret` at the type level: the
 * ISC client strips that member from every answer except the create answer, and `secret?: never`
 * makes the compiler refuse any code path that would carry one into an `OAuthClient`.
 */

/** `GET /oauth-clients`, `GET|PATCH /oauth-clients/{id}` (ISC's `GetOAuthClientResponse`). */
export interface IscOAuthClient {
  id: string;
  businessName?: string | null;
  homepageUrl?: string | null;
  name?: string | null;
  description?: string | null;
  accessTokenValiditySeconds?: number | null;
  refreshTokenValiditySeconds?: number | null;
  redirectUris?: string[] | null;
  grantTypes?: string[] | null;
  accessType?: string | null;
  type?: string | null;
  internal?: boolean | null;
  enabled?: boolean | null;
  strongAuthSupported?: boolean | null;
  claimsSupported?: boolean | null;
  created?: string | null;
  modified?: string | null;
  lastUsed?: string | null;
  metadata?: string | null;
  scope?: string[] | null;
  secret?: never;
}

/** `POST /oauth-clients` (ISC's `CreateOAuthClientResponse`): the one answer that carries `secret`. */
export interface IscCreatedOAuthClient extends Omit<IscOAuthClient, 'secret' | 'lastUsed' | 'metadata'> {
  secret: string;
}

export type OAuthClientModel = IscOAuthClient;
export type CreatedOAuthClientModel = IscCreatedOAuthClient;
