import type { ApiPathLayout } from '../config/upstream.js';

export type { ApiPathLayout };

/** Where ISC's API sits below the tenant's host: the layout, and the prefix the year-versioned one adds. */
export interface ApiPaths {
  layout: ApiPathLayout;
  /** `/v2024` (or another year-versioned prefix): used only by the `v2024` layout. */
  prefix: string;
}

export const PER_RESOURCE: ApiPaths = { layout: 'per-resource', prefix: '' };

/**
 * Each collection's version in SailPoint's per-resource layout (`/connectors/v1/…`): each resource
 * bumps its own. A new domain adds its collection here.
 */
export const PER_RESOURCE_VERSIONS: Readonly<Record<string, string>> = {
  connectors: 'v1',
  'connector-customizers': 'v1',
  'source-apps': 'v1',
  'oauth-clients': 'v1',
  'user-apps': 'v1',
};

/** A collection no version is known for: a programming error, found at start by `checkCollections`. */
export class UnknownCollection extends Error {
  constructor(readonly collection: string) {
    super(`No per-resource version is known for the ISC collection "${collection}" (src/isc/api-paths.ts)`);
    this.name = 'UnknownCollection';
  }
}

/**
 * The path ISC serves a layout-neutral one at (`connectors/ad%2Fx?locale=fr`, as the domains write
 * it and every route name, cache key and write-clock scope uses it): `/connectors/v1/ad%2Fx?locale=fr`
 * per resource, `/v2024/connectors/ad%2Fx?locale=fr` year-versioned. Only the collection, the first
 * segment, is looked at: identifiers and the query string travel as they are (still encoded).
 */
export function layoutPath(paths: ApiPaths, neutral: string): string {
  if (paths.layout === 'v2024') return `${paths.prefix}/${neutral}`;
  const end = collectionEnd(neutral);
  const collection = neutral.slice(0, end);
  const version = Object.hasOwn(PER_RESOURCE_VERSIONS, collection) ? PER_RESOURCE_VERSIONS[collection] : undefined;
  if (version === undefined) throw new UnknownCollection(collection);
  return `/${collection}/${version}${neutral.slice(end)}`;
}

/** Refuses a collection the per-resource layout has no version for (at start, not at the first call). */
export function checkCollections(collections: readonly string[]): void {
  for (const collection of collections) layoutPath(PER_RESOURCE, collection);
}

/** What to do about a deprecated route, said in its warning. */
export function deprecationAdvice(layout: ApiPathLayout): string {
  return layout === 'v2024'
    ? "switch to ISC's per-resource paths: unset SAIL_API_PREFIX and set SAIL_API_PATHS=per-resource (docs/production.md)"
    : "see SailPoint's API changelog for the route's successor, and report it to the gateway's maintainers";
}

function collectionEnd(neutral: string): number {
  const slash = neutral.indexOf('/');
  const query = neutral.indexOf('?');
  const ends = [slash, query, neutral.length].filter((i) => i >= 0);
  return Math.min(...ends);
}
