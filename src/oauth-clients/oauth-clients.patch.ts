import { patchBuilder, isBoolean, isNonEmptyString, isString, arrayOf, type PatchSchema } from '../shared/json-patch.js';
import { isAccessType, isGrantType, isGrantTypeList, isHttpUrl, isRedirectUri, isValiditySeconds } from './oauth-clients.validation.js';

/**
 * The OAuth client fields ISC lets `PATCH /oauth-clients/{id}` change (the facts page's list; the
 * spec also names `tenant`, which no client of this gateway should move). Removable only where
 * ISC's read shape is nullable and its create request does not require the field: businessName,
 * homepageUrl, redirectUris. `description` is nullable but required at creation, so it is kept.
 */
export const OAUTH_CLIENT_PATCH_SCHEMA: PatchSchema = {
  businessName: { check: isString, removable: true },
  homepageUrl: { check: isHttpUrl, removable: true },
  name: { check: isNonEmptyString, removable: false },
  description: { check: isString, removable: false },
  accessTokenValiditySeconds: { check: isValiditySeconds, removable: false },
  refreshTokenValiditySeconds: { check: isValiditySeconds, removable: false },
  redirectUris: { check: arrayOf(isRedirectUri), removable: true, element: isRedirectUri },
  grantTypes: { check: isGrantTypeList, removable: false, element: isGrantType },
  accessType: { check: isAccessType, removable: false },
  enabled: { check: isBoolean, removable: false },
  strongAuthSupported: { check: isBoolean, removable: false },
  claimsSupported: { check: isBoolean, removable: false },
};

/** Typed update input and raw operations → the JSON Patch ISC receives. */
export const oauthClientPatch = patchBuilder(OAUTH_CLIENT_PATCH_SCHEMA);
