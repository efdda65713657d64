import type { Config } from '../config/index.js';

/**
 * Query limits, checked before anything runs, so a refused operation makes no ISC call.
 *
 * | limit                  | where checked                          | `extensions.code`           | HTTP |
 * |------------------------|----------------------------------------|-----------------------------|------|
 * | SAIL_MAX_BATCH_OPERATIONS   | HTTP layer (body is a JSON array)      | `BAD_REQUEST`               | 400  |
 * | SAIL_MAX_DOCUMENT_BYTES     | HTTP layer (`query` text)              | `BAD_REQUEST`               | 413  |
 * | SAIL_MAX_TOKENS             | HTTP layer, and Apollo's parser        | `GRAPHQL_PARSE_FAILED`      | 400  |
 * | SAIL_MAX_DEPTH, SAIL_MAX_ALIASES, SAIL_MAX_DIRECTIVES (GraphQL Armor), SAIL_MAX_ROOT_FIELDS | validation | `GRAPHQL_VALIDATION_FAILED` | 400 |
 * | SAIL_MAX_COST (estimated ISC calls, with the variables) | after validation | `QUERY_TOO_COMPLEX`   | 400  |
 * | the rate budget before the deadline | after validation          | `RATE_LIMITED`              | 429  |
 *
 * Every limit error names its limit in `extensions.limit` (the variable that sets it) with its value
 * in `extensions.max`, and what was found in `extensions.found` where it was counted. RATE_LIMITED
 * carries `estimatedCalls`, `capacity` (calls the budget allows before the deadline) and
 * `retryAfter` (seconds, also in the Retry-After header) instead.
 */
export type LimitName =
  | 'SAIL_MAX_BATCH_OPERATIONS'
  | 'SAIL_MAX_DOCUMENT_BYTES'
  | 'SAIL_MAX_TOKENS'
  | 'SAIL_MAX_DEPTH'
  | 'SAIL_MAX_ALIASES'
  | 'SAIL_MAX_DIRECTIVES'
  | 'SAIL_MAX_ROOT_FIELDS'
  | 'SAIL_MAX_COST';

/** The limits of src/limits: the configuration's `limits` group. */
export type QueryLimits = Config['limits'];

export function limitExtensions(limit: LimitName, max: number, found?: number) {
  return { limit, max, ...(found !== undefined && { found }) };
}
