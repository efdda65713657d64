import type { DomainRoutes } from '../isc/routes.js';

/** Customizers change rarely: their answers may be cached across operations. */
export const connectorCustomizerRoutes: DomainRoutes = {
  collection: 'connector-customizers',
  templates: ['connector-customizers', 'connector-customizers/{id}', 'connector-customizers/{id}/versions'],
  cacheable: true,
  // A one-item list: proves a token can be obtained and ISC answers, at the cost of one call.
  probe: { method: 'GET', path: 'connector-customizers', searchParams: { limit: 1 } },
};
