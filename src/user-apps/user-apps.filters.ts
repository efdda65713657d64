import type { AllUserAppFilter, UserAppFilter } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { allOf, checkRawFilterFields, combineFilters, conditions, type FilterTerm } from '../shared/filters.js';
import type { UserAppListView } from './user-apps.api.js';

/**
 * Typed filters of the user-app lists → ISC `filters`. ISC names these fields flat (`ownerName`,
 * `sourceAppId`), not by the answer's paths, and offers `eq` (and `sw` on names) only.
 */

const commonTerms = (filter: UserAppFilter | AllUserAppFilter): FilterTerm[] => [
  ['id', 'eq', filter.id],
  ['ownerName', 'eq', filter.ownerName],
  ['ownerName', 'sw', filter.ownerNameStartsWith],
  ['ownerAlias', 'eq', filter.ownerAlias],
  ['ownerAlias', 'sw', filter.ownerAliasStartsWith],
  ['accountId', 'eq', filter.accountId],
  ['sourceAppId', 'eq', filter.sourceAppId],
];

/** What each list filters on (ISC's documented fields); raw `filters` are checked against it. */
export const LIST_FILTER_FIELDS: Record<UserAppListView, readonly string[]> = {
  own: ['id', 'ownerName', 'ownerAlias', 'accountId', 'sourceAppId'],
  all: ['id', 'ownerId', 'ownerName', 'ownerAlias', 'accountId', 'sourceAppId'],
};

/** `Query.userApps` typed and raw filters → one ISC expression (joined with `and`), or none. */
export function userAppFilters(args: { filter?: UserAppFilter | null; filters?: string | null }): string | undefined {
  const typed = args.filter ? allOf(conditions(commonTerms(args.filter))) : undefined;
  return combineFilters(typed, checkRawFilterFields(args.filters, LIST_FILTER_FIELDS.own));
}

/** `Query.allUserApps` filters → one ISC expression; ISC requires one, so an empty filter is refused here. */
export function allUserAppFilters(args: { filter: AllUserAppFilter; filters?: string | null }): string {
  const typed = allOf(conditions([...commonTerms(args.filter), ['ownerId', 'eq', args.filter.ownerId]]));
  const expression = combineFilters(typed, checkRawFilterFields(args.filters, LIST_FILTER_FIELDS.all));
  if (expression === undefined) {
    throw badInput('allUserApps needs a filter: ISC lists all user apps only when filtered (set a field of filter, or give filters)', {
      argument: 'filter',
    });
  }
  return expression;
}
