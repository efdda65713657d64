import type { ConnectorFilter } from '../generated/graphql.js';
import { allOf, checkRawFilterFields, combineFilters, conditions } from '../shared/filters.js';

/** The fields `GET /connectors` filters on: a raw filter naming another is refused before ISC would answer 400. */
export const CONNECTOR_FILTER_FIELDS = ['name', 'type', 'directConnect', 'category', 'features', 'labels'] as const;

/** Typed `ConnectorFilter` → ISC filter expression (fields and operators `/connectors` supports). */
export function connectorFilterExpression(filter: ConnectorFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  return allOf(
    conditions([
      ['name', 'sw', filter.nameStartsWith],
      ['name', 'co', filter.nameContains],
      ['type', 'eq', filter.type],
      ['type', 'sw', filter.typeStartsWith],
      ['type', 'co', filter.typeContains],
      ['directConnect', 'eq', filter.directConnect],
      ['category', 'eq', filter.category],
      ['features', 'ca', filter.featuresContainAll],
      ['labels', 'ca', filter.labelsContainAll],
    ]),
  );
}

/** `Query.connectors` typed and raw filters → one ISC expression, joined with `and`. */
export function connectorsFilters(args: { filter?: ConnectorFilter | null; filters?: string | null }): string | undefined {
  return combineFilters(connectorFilterExpression(args.filter), checkRawFilterFields(args.filters, CONNECTOR_FILTER_FIELDS));
}
