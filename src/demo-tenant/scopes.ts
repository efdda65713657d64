import { ApiError } from './errors.js';

/**
 * OAuth scopes as ISC checks them on each API operation. Every route names the scopes it accepts
 * (router.ts, `RouteOptions.scopes`): any one of them suffices. Each domain file states its table
 * next to its routes; a read usually accepts the domain's read or manage scope, a change only the
 * manage scope. A token carrying `sp:scopes:all` (the client-credentials tokens of the demo client)
 * passes every check.
 */

export const ALL_SCOPES = 'sp:scopes:all';

/** The read and manage scope of each of the four domains. */
export const DOMAIN_SCOPES = {
  connectors: { read: 'idn:connector-config:read', manage: 'idn:connector-config:manage' },
  connectorCustomizers: { read: 'sp:connector:read', manage: 'sp:connector:manage' },
  sourceApps: { read: 'idn:app-roles:read', manage: 'idn:app-roles:manage' },
  oauthClients: { read: 'sp:oauth-client:read', manage: 'sp:oauth-client:manage' },
} as const;

export const ALL_DOMAIN_SCOPES: readonly string[] = Object.values(DOMAIN_SCOPES).flatMap((d) => [d.read, d.manage]);

/** Refuses (403, ISC's error body) a token that has none of the scopes a route accepts. */
export function checkScopes(granted: readonly string[], accepted: readonly string[]): void {
  if (granted.includes(ALL_SCOPES) || accepted.some((scope) => granted.includes(scope))) return;
  const needs = accepted.length === 1 ? `the scope ${accepted[0]}` : `one of the scopes ${accepted.join(', ')}`;
  throw new ApiError(403, `Access denied: this operation needs ${needs}, which the access token does not carry`, [
    `The token carries: ${granted.length > 0 ? granted.join(', ') : 'no scope'}`,
  ]);
}
