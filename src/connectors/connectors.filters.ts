import type { ConnectorFilter } from '../generated/graphql.js';
import { allOf, condition } from '../shared/filters.js';

/** The fields `GET /connectors` filters on: a raw filter naming another is refused before ISC would answer 400. */
export const CONNECTOR_FILTER_FIELDS = ['name', 'type', 'directConnect', 'category', 'features', 'labels'] as const;

/** Typed `ConnectorFilter` → ISC filter expression (fields and operators `/connectors` supports). */
export function connectorFilterExpression(filter: ConnectorFilter | null | undefined): string | undefined {
  if (!filter) return undefined;
  const parts: string[] = [];
  if (filter.nameStartsWith != null) parts.push(condition('name', 'sw', filter.nameStartsWith));
  if (filter.nameContains != null) parts.push(condition('name', 'co', filter.nameContains));
  if (filter.type != null) parts.push(condition('type', 'eq', filter.type));
  if (filter.typeStartsWith != null) parts.push(condition('type', 'sw', filter.typeStartsWith));
  if (filter.typeContains != null) parts.push(condition('type', 'co', filter.typeContains));
  if (filter.directConnect != null) parts.push(condition('directConnect', 'eq', filter.directConnect));
  if (filter.category != null) parts.push(condition('category', 'eq', filter.category));
  if (filter.featuresContainAll != null) parts.push(condition('features', 'ca', filter.featuresContainAll));
  if (filter.labelsContainAll != null) parts.push(condition('labels', 'ca', filter.labelsContainAll));
  return allOf(parts);
}
