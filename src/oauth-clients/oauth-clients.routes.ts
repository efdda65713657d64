import type { DomainRoutes } from '../isc/routes.js';

export const oauthClientRoutes: DomainRoutes = {
  collection: 'oauth-clients',
  templates: ['oauth-clients', 'oauth-clients/{id}'],
};
