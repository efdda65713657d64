import type { OAuthClientFilter } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { anyOf, checkRawFilterFields, combineFilters, conditions } from '../shared/filters.js';

/** Fields `GET /oauth-clients` filters on; a raw `filters` may name only these. */
export const OAUTH_CLIENT_FILTER_FIELDS: readonly string[] = ['lastUsed'];

/** Typed `OAuthClientFilter` → ISC filter expression (`/oauth-clients` filters `lastUsed` by `le` and `isnull`). */
export function oauthClientFilterExpression(filter: OAuthClientFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  const parts = conditions([
    ['lastUsed', 'le', filter.lastUsedBefore],
    ['lastUsed', 'isnull', filter.neverUsed],
  ]);
  if (filter.neverUsed === false) {
    throw badInput('filter.neverUsed: only true is supported (ISC cannot filter for used clients; use lastUsedBefore)', {
      argument: 'filter.neverUsed',
    });
  }
  // Either condition admits a client: "unused since X, or never used".
  return anyOf(parts);
}

/** `Query.oauthClients` typed and raw filters → one ISC expression, joined with `and`. */
export function oauthClientsFilters(args: { filter?: OAuthClientFilter | null; filters?: string | null }): string | undefined {
  return combineFilters(oauthClientFilterExpression(args.filter), checkRawFilterFields(args.filters, OAUTH_CLIENT_FILTER_FIELDS));
}
