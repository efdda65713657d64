import { connectorCustomizerCosts } from './connector-customizers/connector-customizers.costs.js';
import { connectorCustomizerResolvers } from './connector-customizers/connector-customizers.resolvers.js';
import { connectorCustomizerRoutes } from './connector-customizers/connector-customizers.routes.js';
import { connectorCosts } from './connectors/connectors.costs.js';
import { connectorResolvers } from './connectors/connectors.resolvers.js';
import { connectorRoutes } from './connectors/connectors.routes.js';
import type { Resolvers } from './generated/graphql.js';
import type { DomainRoutes } from './isc/routes.js';
import { mergeCostTables, type CostTable } from './limits/cost.js';
import { oauthClientCosts } from './oauth-clients/oauth-clients.costs.js';
import { oauthClientResolvers } from './oauth-clients/oauth-clients.resolvers.js';
import { oauthClientRoutes } from './oauth-clients/oauth-clients.routes.js';
import { sourceAppCosts } from './source-apps/source-apps.costs.js';
import { sourceAppResolvers } from './source-apps/source-apps.resolvers.js';
import { sourceAppRoutes } from './source-apps/source-apps.routes.js';
import type { UpstreamRequest } from './isc/types.js';
import { userAppCosts } from './user-apps/user-apps.costs.js';
import { userAppResolvers } from './user-apps/user-apps.resolvers.js';
import { userAppRoutes } from './user-apps/user-apps.routes.js';

/**
 * The domains, each declaring next to its code what the rest of the gateway needs to know:
 * its resolvers, what its fields cost in ISC calls, and its ISC routes. The infrastructure
 * (src/isc, src/limits) knows no domain: it is handed these.
 */
interface Domain {
  resolvers: Resolvers;
  costs: CostTable;
  routes: DomainRoutes;
}

const DOMAINS: readonly Domain[] = [
  { resolvers: connectorResolvers, costs: connectorCosts, routes: connectorRoutes },
  { resolvers: connectorCustomizerResolvers, costs: connectorCustomizerCosts, routes: connectorCustomizerRoutes },
  { resolvers: sourceAppResolvers, costs: sourceAppCosts, routes: sourceAppRoutes },
  { resolvers: oauthClientResolvers, costs: oauthClientCosts, routes: oauthClientRoutes },
  { resolvers: userAppResolvers, costs: userAppCosts, routes: userAppRoutes },
];

/** Federation's own fields: `_service` answers without ISC, `_entities` resolves each representation. */
const FEDERATION_COSTS: CostTable = {
  fields: { 'Query._service': { calls: 'none' }, 'Query._entities': { calls: 'entities' } },
  detailFields: {},
};

export const DOMAIN_RESOLVERS: readonly Resolvers[] = DOMAINS.map((d) => d.resolvers);
export const COSTS: CostTable = mergeCostTables([FEDERATION_COSTS, ...DOMAINS.map((d) => d.costs)]);
export const ROUTE_TEMPLATES: readonly string[] = DOMAINS.flatMap((d) => d.routes.templates);
/** Every domain's collection (the first path segment). */
export const COLLECTIONS: readonly string[] = DOMAINS.map((d) => d.routes.collection);
/** Collections whose GET answers the response cache keeps unless the operator chooses others. */
export const CACHEABLE_COLLECTIONS: readonly string[] = DOMAINS.filter((d) => d.routes.cacheable).map((d) => d.routes.collection);

/** The readiness probe: the first domain's cheapest read. */
export const READINESS_PROBE: UpstreamRequest = DOMAINS.find((d) => d.routes.probe)!.routes.probe!;
