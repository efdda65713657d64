import http from 'node:http';
import type { InboundAuth } from '../auth/credentials.js';
import type { SessionMode } from '../auth/session/index.js';
import type { Config } from '../config/index.js';
import type { IscClient } from '../isc/client.js';
import type { RateGovernor } from '../isc/governor.js';
import type { Logger } from '../log/logger.js';
import type { Readiness } from '../readiness.js';
import type { StaticSite } from '../static-site.js';
import { startApollo } from './apollo.js';
import { resolveCaller } from './caller.js';
import { createCallerFacts, createContext } from './context.js';
import { cors } from './cors.js';
import { drainGate } from './drain.js';
import { graphqlRoute } from './graphql.js';
import { refuser } from './respond.js';
import { router } from './router.js';
import { browserHomeOf, healthRoute, homeRoute, operatorRoutes, playgroundRoute, readinessRoute, signInRoute, siteRoute } from './routes.js';
import type { Route, ServerObservability } from './types.js';

export { guarded, operatorServer } from './operator.js';
export { mediaTypeOf } from './body.js';
export { createCallerFacts, createContext, requestIdOf } from './context.js';
export type { Route, RouteHandler, ServerObservability } from './types.js';

export interface HttpGatewayOptions {
  config: Pick<Config, 'server' | 'limits' | 'rate' | 'cache' | 'observability'>;
  auth: InboundAuth;
  client: IscClient;
  governor: RateGovernor;
  /** Readiness: whether a token can be obtained and ISC answers (see readiness.ts). */
  readiness: () => Promise<Readiness>;
  /** Metrics, audit, traces (see src/observability/index.ts). */
  observability?: ServerObservability;
  logger: Logger;
  /** Sign-in at the gateway, once it listens (its redirect URI needs the port); undefined when off. */
  session?: () => SessionMode | undefined;
  /** A frontend served at /app/ (`SAIL_FRONTEND_DIR`). */
  site?: StaticSite;
}

/**
 * The HTTP server: `/graphql` goes to Apollo Server, `/healthz` answers liveness, CORS admits only
 * the configured origins. A small `node:http` server, since Apollo's standalone server cannot add
 * routes. The routes, in the order they are tried, are listed here.
 */
export async function createHttpGateway({ config, auth, client, governor, readiness, observability, logger, session, site }: HttpGatewayOptions) {
  const { server, limits } = config;
  const { metricsPort, metricsToken } = config.observability;
  const operation = { maxListLimit: limits.maxListLimit, operationTimeoutMs: limits.operationTimeoutMs, rateLimitWaitMs: config.rate.limitWaitMs };
  const httpServer = http.createServer();
  const callerFacts = createCallerFacts();
  const apollo = await startApollo({
    config,
    governor,
    observability,
    logger,
    httpServer,
    buildContext: (caller) => createContext(client, caller.credential, caller.settings, caller.requestId, caller.principal, callerFacts),
  });
  const refuse = refuser(observability);
  const drain = drainGate(refuse);
  const routes: (Route | false)[] = [
    healthRoute,
    homeRoute(browserHomeOf(site, server.playground)),
    readinessRoute(readiness, drain.draining),
    // With SAIL_METRICS_PORT, the observability routes live on that listener only (see operatorServer).
    metricsPort === undefined && operatorRoutes(observability?.routes ?? {}, metricsToken),
    server.playground === 'graphiql' && playgroundRoute,
    // Everything above still answers while draining; everything below is refused.
    drain.route,
    session !== undefined && signInRoute(session),
    site !== undefined && siteRoute(site),
    graphqlRoute({
      apollo,
      maxBodyBytes: server.maxBodyBytes,
      limits,
      refuse,
      observability,
      callerOf: (req, requestId) =>
        resolveCaller(req, requestId, { auth, signIn: session?.(), operation, trustedProxyHops: config.server.trustedProxyHops }),
    }),
  ];
  httpServer.on(
    'request',
    router(
      cors(server.corsOrigins),
      routes.filter((route) => route !== false),
      logger,
    ),
  );
  return {
    httpServer,
    apollo,
    /** Turns /readyz unready (the first step of a graceful shutdown). */
    markShuttingDown: drain.markShuttingDown,
  };
}
