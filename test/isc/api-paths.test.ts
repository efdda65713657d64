import { describe, expect, it } from '@jest/globals';
import { COLLECTIONS, ROUTE_TEMPLATES } from '../../src/domains.js';
import { checkCollections, layoutPath, PER_RESOURCE, UnknownCollection, type ApiPaths } from '../../src/isc/api-paths.js';

const V2024: ApiPaths = { layout: 'v2024', prefix: '/v2024' };

/** Every operation's neutral path (as the domains write it, identifiers encoded) and where ISC serves it in each layout. */
const PATHS: readonly [neutral: string, perResource: string, yearVersioned: string][] = [
  ['connectors?limit=250&offset=0', '/connectors/v1?limit=250&offset=0', '/v2024/connectors?limit=250&offset=0'],
  ['connectors', '/connectors/v1', '/v2024/connectors'],
  ['connectors/ad%2Fx', '/connectors/v1/ad%2Fx', '/v2024/connectors/ad%2Fx'],
  ['connectors/a%3Fb%23c/source-config', '/connectors/v1/a%3Fb%23c/source-config', '/v2024/connectors/a%3Fb%23c/source-config'],
  ['connectors/x/source-template', '/connectors/v1/x/source-template', '/v2024/connectors/x/source-template'],
  ['connectors/x/correlation-config', '/connectors/v1/x/correlation-config', '/v2024/connectors/x/correlation-config'],
  ['connectors/x/translations/fr%2F..', '/connectors/v1/x/translations/fr%2F..', '/v2024/connectors/x/translations/fr%2F..'],
  ['connector-customizers?limit=1', '/connector-customizers/v1?limit=1', '/v2024/connector-customizers?limit=1'],
  ['connector-customizers/c%20d', '/connector-customizers/v1/c%20d', '/v2024/connector-customizers/c%20d'],
  ['connector-customizers/c1/versions', '/connector-customizers/v1/c1/versions', '/v2024/connector-customizers/c1/versions'],
  ['source-apps', '/source-apps/v1', '/v2024/source-apps'],
  [
    'source-apps/all?filters=id%20in%20(%22a%22)',
    '/source-apps/v1/all?filters=id%20in%20(%22a%22)',
    '/v2024/source-apps/all?filters=id%20in%20(%22a%22)',
  ],
  ['source-apps/assigned', '/source-apps/v1/assigned', '/v2024/source-apps/assigned'],
  ['source-apps/bulk-update', '/source-apps/v1/bulk-update', '/v2024/source-apps/bulk-update'],
  ['source-apps/s%2F1', '/source-apps/v1/s%2F1', '/v2024/source-apps/s%2F1'],
  ['source-apps/s1/access-profiles', '/source-apps/v1/s1/access-profiles', '/v2024/source-apps/s1/access-profiles'],
  [
    'source-apps/s1/access-profiles/bulk-remove',
    '/source-apps/v1/s1/access-profiles/bulk-remove',
    '/v2024/source-apps/s1/access-profiles/bulk-remove',
  ],
  ['oauth-clients?filters=lastUsed%20isnull', '/oauth-clients/v1?filters=lastUsed%20isnull', '/v2024/oauth-clients?filters=lastUsed%20isnull'],
  ['oauth-clients/o%2B1', '/oauth-clients/v1/o%2B1', '/v2024/oauth-clients/o%2B1'],
  ['user-apps?limit=251&offset=0', '/user-apps/v1?limit=251&offset=0', '/v2024/user-apps?limit=251&offset=0'],
  [
    'user-apps/all?filters=ownerId%20eq%20%22i%22',
    '/user-apps/v1/all?filters=ownerId%20eq%20%22i%22',
    '/v2024/user-apps/all?filters=ownerId%20eq%20%22i%22',
  ],
  ['user-apps/u%2F1', '/user-apps/v1/u%2F1', '/v2024/user-apps/u%2F1'],
  ['user-apps/u1/available-accounts?limit=2', '/user-apps/v1/u1/available-accounts?limit=2', '/v2024/user-apps/u1/available-accounts?limit=2'],
];

describe('layoutPath: the one place a layout-neutral path becomes ISC’s', () => {
  it.each(PATHS)('%s → %s per resource, %s year-versioned (identifiers and query kept as encoded)', (neutral, perResource, yearVersioned) => {
    expect(layoutPath(PER_RESOURCE, neutral)).toBe(perResource);
    expect(layoutPath(V2024, neutral)).toBe(yearVersioned);
  });

  it('puts another year-versioned prefix where SAIL_API_PREFIX says', () => {
    expect(layoutPath({ layout: 'v2024', prefix: '/v2025' }, 'source-apps/all')).toBe('/v2025/source-apps/all');
  });

  it('covers every collection and every route template of the domains in both layouts', () => {
    expect(() => checkCollections(COLLECTIONS)).not.toThrow();
    const collectionsSeen = new Set(PATHS.map(([neutral]) => neutral.split(/[/?]/)[0]));
    expect([...collectionsSeen].sort()).toEqual([...COLLECTIONS].sort());
    for (const template of ROUTE_TEMPLATES) {
      const [collection, ...rest] = template.split('/');
      expect(layoutPath(PER_RESOURCE, template)).toBe(['', collection, 'v1', ...rest].join('/'));
      expect(layoutPath(V2024, template)).toBe(`/v2024/${template}`);
    }
  });

  it('refuses a collection with no per-resource version (found at start by checkCollections)', () => {
    expect(() => layoutPath(PER_RESOURCE, 'identities/all')).toThrow(UnknownCollection);
    expect(() => checkCollections([...COLLECTIONS, 'identities'])).toThrow('No per-resource version is known for the ISC collection "identities"');
    expect(() => layoutPath(PER_RESOURCE, 'toString')).toThrow(UnknownCollection); // no inherited member counts as a version
  });
});
