import type { OAuthClientFilter } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { anyOf, condition } from '../shared/filters.js';

// The only shape the expression ever carries: digits, `-`, `:`, `.`, `T` and `Z`.
const ISC_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * A DateTime argument as ISC writes it in filters: unquoted, UTC, milliseconds
 * (`lastUsed le 2023-02-05T10:59:27.214Z`). The value is re-serialised rather than copied, so
 * nothing of the caller's text reaches the expression. The DateTime scalar hands resolvers a
 * `Date` (the generated type says string), so both are taken.
 */
export function iscTimestamp(value: unknown, argument: string): string {
  let date: Date | undefined;
  if (value instanceof Date) date = value;
  else if (typeof value === 'string' && RFC3339.test(value)) date = new Date(value);
  const iso = date && !Number.isNaN(date.getTime()) ? date.toISOString() : '';
  if (!ISC_TIMESTAMP.test(iso)) {
    throw badInput(`${argument} must be a date-time between the years 0000 and 9999`, { argument });
  }
  return iso;
}

/** Typed `OAuthClientFilter` → ISC filter expression (`/oauth-clients` filters `lastUsed` by `le` and `isnull`). */
export function oauthClientFilterExpression(filter: OAuthClientFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.lastUsedBefore != null) {
    // Not `condition()`: it quotes strings, and ISC takes datetimes unquoted.
    parts.push(`lastUsed le ${iscTimestamp(filter.lastUsedBefore, 'filter.lastUsedBefore')}`);
  }
  if (filter.neverUsed === false) {
    throw badInput('filter.neverUsed: only true is supported (ISC cannot filter for used clients; use lastUsedBefore)', {
      argument: 'filter.neverUsed',
    });
  }
  if (filter.neverUsed === true) parts.push(condition('lastUsed', 'isnull'));
  // Either condition admits a client: "unused since X, or never used".
  return anyOf(parts);
}
