import type { DomainRoutes } from '../isc/routes.js';

/** The literal second segments of `/source-apps`: routes, never app ids. */
export const SOURCE_APP_ROUTE_WORDS = ['all', 'assigned', 'bulk-update'] as const;

export const sourceAppRoutes: DomainRoutes = {
  collection: 'source-apps',
  templates: [
    'source-apps',
    ...SOURCE_APP_ROUTE_WORDS.map((word) => `source-apps/${word}`),
    'source-apps/{id}',
    'source-apps/{id}/access-profiles',
    'source-apps/{id}/access-profiles/bulk-remove',
  ],
};
