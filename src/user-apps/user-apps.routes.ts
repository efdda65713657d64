import type { DomainRoutes } from '../isc/routes.js';

/** The literal second segment of `/user-apps`: a route, never a user app id. */
export const USER_APP_ROUTE_WORDS = ['all'] as const;

export const userAppRoutes: DomainRoutes = {
  collection: 'user-apps',
  templates: ['user-apps', 'user-apps/all', 'user-apps/{id}', 'user-apps/{id}/available-accounts'],
};
