import { enumValue, rawEnum } from '../shared/enums.js';

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

/** ISC's closed sets: output enums (under the unknown-enum rule) and what inputs may name. */
export const GRANT_TYPES = ['CLIENT_CREDENTIALS', 'AUTHORIZATION_CODE', 'REFRESH_TOKEN'] as const;
export const ACCESS_TYPES = ['ONLINE', 'OFFLINE'] as const;
export const CLIENT_TYPES = ['CONFIDENTIAL', 'PUBLIC'] as const;

/** The closed-set fields both client types share; every other field passes through as ISC sent it. */
type Enums = Pick<IscOAuthClient, 'grantTypes' | 'accessType' | 'type'>;

/** The translated fields of `OAuthClient` and `CreatedOAuthClient`. */
export const oauthClientEnumFields = {
  grantTypes: (c: Enums) => c.grantTypes?.map((v) => enumValue(GRANT_TYPES, v) ?? 'UNKNOWN') ?? null,
  grantTypesRaw: (c: Enums) => c.grantTypes?.map(String) ?? null,
  accessType: (c: Enums) => enumValue(ACCESS_TYPES, c.accessType),
  accessTypeRaw: (c: Enums) => rawEnum(c.accessType),
  type: (c: Enums) => enumValue(CLIENT_TYPES, c.type),
  typeRaw: (c: Enums) => rawEnum(c.type),
};
