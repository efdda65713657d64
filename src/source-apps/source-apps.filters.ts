import type {
  AccessProfileFilter,
  AllSourceAppFilter,
  AssignedSourceAppSortField,
  SortDirection,
  SourceAppFilter,
  SourceAppSortField,
} from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import { allOf, checkRawFilterFields, checkRawSorters, combineFilters, conditions, type FilterTerm } from '../shared/filters.js';
import type { SourceAppListView } from './source-apps.api.js';

/**
 * Typed filters and sort keys of the source apps lists → ISC `filters` / `sorters`. Each list has
 * its own input type, so only fields and operators that endpoint supports can be expressed.
 */

/** The id and name conditions every source-app filter input has. */
type NamedFilter = Pick<SourceAppFilter, 'id' | 'idIn' | 'name' | 'nameIn'>;
/** The date conditions every filter input has (`modifiedBefore` is not offered by `/source-apps/all`). */
type DatedFilter = Pick<
  SourceAppFilter,
  'createdAfter' | 'createdBefore' | 'createdAtOrAfter' | 'createdAtOrBefore' | 'modifiedAfter' | 'modifiedAtOrAfter' | 'modifiedAtOrBefore'
> & {
  modifiedBefore?: SourceAppFilter['modifiedBefore'];
};

const namedTerms = (filter: NamedFilter): FilterTerm[] => [
  ['id', 'eq', filter.id],
  ['id', 'in', filter.idIn],
  ['name', 'eq', filter.name],
  ['name', 'in', filter.nameIn],
];

const datedTerms = (filter: DatedFilter): FilterTerm[] => [
  ['created', 'gt', filter.createdAfter],
  ['created', 'lt', filter.createdBefore],
  ['created', 'ge', filter.createdAtOrAfter],
  ['created', 'le', filter.createdAtOrBefore],
  ['modified', 'gt', filter.modifiedAfter],
  ['modified', 'lt', filter.modifiedBefore],
  ['modified', 'ge', filter.modifiedAtOrAfter],
  ['modified', 'le', filter.modifiedAtOrBefore],
];

/** The conditions both app lists offer: id, name (also by part) and dates. */
const appTerms = (filter: SourceAppFilter | AllSourceAppFilter): FilterTerm[] => [
  ...namedTerms(filter),
  ['name', 'co', filter.nameContains],
  ['name', 'sw', filter.nameStartsWith],
  ...datedTerms(filter),
];

/** `SourceAppFilter` (for `/source-apps` and `/source-apps/assigned`) → ISC filter expression. */
export function sourceAppFilterExpression(filter: SourceAppFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  return allOf(
    conditions([...appTerms(filter), ['accountSource.id', 'eq', filter.accountSourceId], ['accountSource.id', 'in', filter.accountSourceIdIn]]),
  );
}

/** `AllSourceAppFilter` (for `/source-apps/all`) → ISC filter expression. */
export function allSourceAppFilterExpression(filter: AllSourceAppFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  return allOf(
    conditions([...appTerms(filter), ['owner.id', 'eq', filter.ownerId], ['owner.id', 'in', filter.ownerIdIn], ['enabled', 'eq', filter.enabled]]),
  );
}

/** `AccessProfileFilter` (for `/source-apps/{id}/access-profiles`) → ISC filter expression. */
export function accessProfileFilterExpression(filter: AccessProfileFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  return allOf(conditions([...namedTerms(filter), ...datedTerms(filter)]));
}

/** GraphQL sort field → ISC sorter name. */
const SORT_FIELDS: Record<SourceAppSortField | AssignedSourceAppSortField, string> = {
  ID: 'id',
  NAME: 'name',
  CREATED: 'created',
  MODIFIED: 'modified',
  OWNER_ID: 'owner.id',
  ACCOUNT_SOURCE_ID: 'accountSource.id',
};

/** Sort keys → ISC `sorters` (`name,-created`); undefined when none. A field given twice is refused. */
export function sortersParam(
  sort: readonly { field: SourceAppSortField | AssignedSourceAppSortField; direction?: SortDirection | null }[] | null | undefined,
): string | undefined {
  if (!sort || sort.length === 0) return undefined;
  const seen = new Set<string>();
  return sort
    .map(({ field, direction }) => {
      if (seen.has(field)) throw badInput(`sort: ${field} is given more than once`, { argument: 'sort', field });
      seen.add(field);
      return `${direction === 'DESC' ? '-' : ''}${SORT_FIELDS[field]}`;
    })
    .join(',');
}

/** What each list endpoint filters and sorts on (ISC's documented fields); raw arguments are checked against it. */
export const LIST_FIELDS: Record<SourceAppListView, { filters: readonly string[]; sorters: readonly string[] }> = {
  available: {
    filters: ['id', 'name', 'created', 'modified', 'accountSource.id'],
    sorters: ['id', 'name', 'created', 'modified', 'owner.id', 'accountSource.id'],
  },
  all: {
    filters: ['id', 'name', 'created', 'modified', 'owner.id', 'enabled'],
    sorters: ['id', 'name', 'created', 'modified', 'owner.id', 'accountSource.id'],
  },
  assigned: {
    filters: ['id', 'name', 'created', 'modified', 'accountSource.id'],
    sorters: ['id', 'name', 'created', 'modified', 'accountSource.id'],
  },
};

/** Fields `GET /source-apps/{id}/access-profiles` filters on. */
export const ACCESS_PROFILE_FILTER_FIELDS: readonly string[] = ['id', 'name', 'created', 'modified'];

/** `SourceApp.accessProfiles` typed and raw filters → one ISC expression, joined with `and`. */
export function accessProfilesFilters(args: { filter?: AccessProfileFilter | null; filters?: string | null }): string | undefined {
  return combineFilters(accessProfileFilterExpression(args.filter), checkRawFilterFields(args.filters, ACCESS_PROFILE_FILTER_FIELDS));
}

type SortKeys = Parameters<typeof sortersParam>[0];

/**
 * One list's typed and raw arguments → ISC `filters` and `sorters`. Typed and raw filters are
 * joined with `and`; typed `sort` and raw `sorters` together are refused, since neither order of
 * the two lists is obviously the one meant.
 */
export function listQuery(
  view: SourceAppListView,
  typedFilter: string | undefined,
  args: { filters?: string | null; sort?: SortKeys; sorters?: string | null },
): { filters: string | undefined; sorters: string | undefined } {
  const fields = LIST_FIELDS[view];
  if (args.sort != null && args.sort.length > 0 && args.sorters != null) {
    throw badInput('give either sort (typed keys) or sorters (raw ISC sorters), not both', { argument: 'sorters' });
  }
  return {
    filters: combineFilters(typedFilter, checkRawFilterFields(args.filters, fields.filters)),
    sorters: args.sorters != null ? checkRawSorters(args.sorters, fields.sorters) : sortersParam(args.sort),
  };
}
