import type { CreateOAuthClientInput } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { arrayOf, type ValueCheck } from '../shared/json-patch.js';
import { hasControlChars } from '../shared/validation.js';
import type { CreateOAuthClientBody } from './oauth-clients.api.js';
import { ACCESS_TYPES, CLIENT_TYPES, GRANT_TYPES } from './oauth-clients.mappers.js';

/** Value checks for OAuth client fields, shared by the create input, typed updates and raw patches. */

const MAX_URI_LENGTH = 2048;
const INT32_MAX = 2_147_483_647;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;
// Schemes that run code or read local data where a browser follows them: never a redirect target.
const UNSAFE_SCHEMES: ReadonlySet<string> = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about']);

/** One of a closed set; `UNKNOWN` (the output-only enum value) is not in any set, so it is refused. */
export const oneOf =
  (values: readonly string[]): ValueCheck =>
  (v) =>
    typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`;

export const isGrantType = oneOf(GRANT_TYPES);
export const isAccessType = oneOf(ACCESS_TYPES);
export const isClientType = oneOf(CLIENT_TYPES);

/** A non-empty list of distinct grant types. */
export const isGrantTypeList: ValueCheck = (v) => {
  const problem = arrayOf(isGrantType)(v);
  if (problem) return problem;
  const list = v as string[];
  if (list.length === 0) return 'must name at least one grant type';
  return new Set(list).size === list.length ? undefined : 'must not repeat a grant type';
};

/** Token lifetimes: positive whole seconds within ISC's int32. */
export const isValiditySeconds: ValueCheck = (v) =>
  Number.isSafeInteger(v) && (v as number) > 0 && (v as number) <= INT32_MAX ? undefined : `must be a positive integer (at most ${INT32_MAX})`;

function uriShapeProblem(v: unknown): string | undefined {
  if (typeof v !== 'string') return 'must be a string';
  if (v.length === 0 || v.length > MAX_URI_LENGTH) return `must have 1 to ${MAX_URI_LENGTH} characters`;
  if (hasControlChars(v) || /\s/.test(v)) return 'must not contain spaces or control characters';
  try {
    new URL(v);
  } catch {
    return 'must be an absolute URI';
  }
  return undefined;
}

/** `http://host...` or `https://host...` with a host (WHATWG parsing alone would accept `http:host`). */
const hasHttpAuthority = (v: string): boolean => /^https?:\/\/[^/?#\s]+/i.test(v);

/** The home page: an absolute http(s) URL. */
export const isHttpUrl: ValueCheck = (v) => {
  const problem = uriShapeProblem(v);
  if (problem) return problem;
  return hasHttpAuthority(v as string) ? undefined : 'must be an absolute http or https URL';
};

/**
 * A redirect URI (RFC 6749 §3.1.2, RFC 8252 §7.1): absolute, no fragment; http(s) with a host, or
 * a native app's private scheme such as `com.example.app:/callback`.
 */
export const isRedirectUri: ValueCheck = (v) => {
  const problem = uriShapeProblem(v);
  if (problem) return problem;
  const uri = v as string;
  if (uri.includes('#')) return 'must not have a fragment (#)';
  const [, scheme, rest] = SCHEME.exec(uri) ?? [];
  if (scheme === undefined) return 'must be an absolute URI';
  const lower = scheme.toLowerCase();
  if (lower === 'http' || lower === 'https') return hasHttpAuthority(uri) ? undefined : 'must have a host after http(s)://';
  if (UNSAFE_SCHEMES.has(lower)) return `must not use the ${lower}: scheme`;
  return rest.length > 0 ? undefined : 'must have a path after the scheme';
};

/** An OAuth scope token (RFC 6749 §3.3): printable, no spaces. */
export const isScope: ValueCheck = (v) =>
  typeof v === 'string' && /^[\x21\x23-\x5B\x5D-\x7E]+$/.test(v) ? undefined : 'must be a scope token without spaces or quotes';

/** Throws `BAD_USER_INPUT` naming the argument and field when `check` refuses `value`. */
export function requireValid(check: ValueCheck, value: unknown, argument: string, field: string): void {
  const problem = check(value);
  if (problem) throw badInput(`${argument}: ${field} ${problem}`, { argument, field });
}

/** Per create field: its check. Fields missing here (booleans) are typed fully by GraphQL. */
const CREATE_CHECKS: Readonly<Record<string, ValueCheck>> = {
  name: (v) => (typeof v === 'string' && v.trim().length > 0 ? undefined : 'must be a non-empty string'),
  accessTokenValiditySeconds: isValiditySeconds,
  refreshTokenValiditySeconds: isValiditySeconds,
  grantTypes: isGrantTypeList,
  accessType: isAccessType,
  type: isClientType,
  homepageUrl: isHttpUrl,
  redirectUris: arrayOf(isRedirectUri),
  scope: arrayOf(isScope),
};

/**
 * Checks a create input and turns it into ISC's `CreateOAuthClientRequest`: the required fields
 * (name, description, accessTokenValiditySeconds, grantTypes, accessType, enabled) are non-null in
 * the SDL; optional fields given as null are left out, so ISC applies its defaults.
 */
export function createOAuthClientBody(input: CreateOAuthClientInput): CreateOAuthClientBody {
  for (const [field, value] of Object.entries(input)) {
    const check = CREATE_CHECKS[field];
    if (check && value !== null && value !== undefined) requireValid(check, value, 'input', field);
  }
  if (input.grantTypes.includes('AUTHORIZATION_CODE') && !(input.redirectUris && input.redirectUris.length > 0)) {
    throw badInput('input: redirectUris must name at least one URI when grantTypes includes AUTHORIZATION_CODE', {
      argument: 'input',
      field: 'redirectUris',
    });
  }
  return {
    name: input.name,
    description: input.description,
    accessTokenValiditySeconds: input.accessTokenValiditySeconds,
    grantTypes: input.grantTypes,
    accessType: input.accessType,
    enabled: input.enabled,
    ...(input.refreshTokenValiditySeconds != null && { refreshTokenValiditySeconds: input.refreshTokenValiditySeconds }),
    ...(input.type != null && { type: input.type }),
    ...(input.businessName != null && { businessName: input.businessName }),
    ...(input.homepageUrl != null && { homepageUrl: input.homepageUrl }),
    ...(input.redirectUris != null && { redirectUris: input.redirectUris }),
    ...(input.internal != null && { internal: input.internal }),
    ...(input.strongAuthSupported != null && { strongAuthSupported: input.strongAuthSupported }),
    ...(input.claimsSupported != null && { claimsSupported: input.claimsSupported }),
    ...(input.scope != null && { scope: input.scope }),
  };
}
