import type { DomainRoutes } from '../isc/routes.js';

/** The connector catalogue and its files are reference data: their answers may be cached across operations. */
export const connectorRoutes: DomainRoutes = {
  collection: 'connectors',
  templates: [
    'connectors',
    'connectors/{scriptName}',
    'connectors/{scriptName}/source-config',
    'connectors/{scriptName}/source-template',
    'connectors/{scriptName}/correlation-config',
    'connectors/{scriptName}/translations/{locale}',
  ],
  cacheable: true,
};
