import type { CreateSourceAppInput } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { ISC_PAGE_SIZE } from '../shared/paging.js';
import { checkIdentifier } from '../shared/path.js';
import type { CreateSourceAppBody } from './source-apps.api.js';
import { SOURCE_APP_ROUTE_WORDS } from './source-apps.routes.js';

/** ISC takes at most 50 apps per bulk update; splitting would not be atomic, so more is refused. */
export const MAX_BULK_IDS = 50;

/** The literal second segments of `/source-apps/...`: as an id, each would reach another route. */
const RESERVED_IDS: ReadonlySet<string> = new Set(SOURCE_APP_ROUTE_WORDS);

/** Checks a source app id the way path segments are checked (it may become one), refusing the route words. */
export function checkSourceAppId(value: string, argument = 'id'): string {
  checkIdentifier(value, argument);
  if (RESERVED_IDS.has(value.toLowerCase())) {
    throw badInput(`${argument} "${value}" names an ISC route (/source-apps/${value}), not a source app`, { argument });
  }
  return value;
}

/** A non-empty list of ids, each checked; repeated ids count once. */
export function checkIds(
  values: readonly string[],
  argument: string,
  check: (value: string, argument: string) => string = checkIdentifier,
): string[] {
  if (values.length === 0) throw badInput(`${argument} must not be empty`, { argument });
  return [...new Set(values.map((v, i) => check(v, `${argument}[${i}]`)))];
}

/** The ids of a bulk update: checked, repeated ones counted once, at most MAX_BULK_IDS of them. */
export function checkBulkIds(values: readonly string[]): string[] {
  const appIds = checkIds(values, 'ids', checkSourceAppId);
  if (appIds.length > MAX_BULK_IDS) {
    throw badInput(`ids: ISC updates at most ${MAX_BULK_IDS} source apps in one call (got ${appIds.length})`, {
      argument: 'ids',
      max: MAX_BULK_IDS,
    });
  }
  return appIds;
}

/** `limit` of a bulk remove: how many remaining access profiles ISC answers (ISC takes 0 to 250; the gateway's list cap also holds). */
export function checkRemoveLimit(limit: number | null | undefined, maxListLimit: number): number | undefined {
  if (limit == null) return undefined;
  const max = Math.min(ISC_PAGE_SIZE, maxListLimit);
  if (!Number.isInteger(limit) || limit < 0 || limit > max) throw badInput(`limit must be between 0 and ${max}`, { argument: 'limit', max });
  return limit;
}

/** The create body ISC takes (`POST /source-apps`); name, description and account source must not be blank. */
export function createSourceAppBody(input: CreateSourceAppInput): CreateSourceAppBody {
  for (const field of ['name', 'description', 'accountSourceId'] as const) {
    if (!input[field].trim()) throw badInput(`input.${field} must not be empty`, { argument: `input.${field}` });
  }
  return {
    name: input.name,
    description: input.description,
    accountSource: { id: input.accountSourceId },
    ...(input.matchAllAccounts != null && { matchAllAccounts: input.matchAllAccounts }),
  };
}
