import type { OAuthClientFilter } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { anyOf, condition } from '../shared/filters.js';

/** Fields `GET /oauth-clients` filters on; a raw `filters` may name only these. */
export const OAUTH_CLIENT_FILTER_FIELDS: readonly string[] = ['lastUsed'];

/** Typed `OAuthClientFilter` → ISC filter expression (`/oauth-clients` filters `lastUsed` by `le` and `isnull`). */
export function oauthClientFilterExpression(filter: OAuthClientFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.lastUsedBefore != null) parts.push(condition('lastUsed', 'le', filter.lastUsedBefore));
  if (filter.neverUsed === false) {
    throw badInput('filter.neverUsed: only true is supported (ISC cannot filter for used clients; use lastUsedBefore)', {
      argument: 'filter.neverUsed',
    });
  }
  if (filter.neverUsed === true) parts.push(condition('lastUsed', 'isnull'));
  // Either condition admits a client: "unused since X, or never used".
  return anyOf(parts);
}
