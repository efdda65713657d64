import type http from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';
import type { Config } from '../config/index.js';
import type { Context } from '../context.js';
import { COSTS } from '../domains.js';
import type { CacheHit } from '../isc/client.js';
import type { RateGovernor } from '../isc/governor.js';
import { queryCostPlugin } from '../limits/cost-plugin.js';
import { automaticPersistedQueries, persistedQueryGuardPlugin } from '../limits/persisted-queries.js';
import { loadTrustedDocuments, trustedDocumentsPlugin } from '../limits/trusted-documents.js';
import { introspectionOffRule, limitValidationRules } from '../limits/validation-rules.js';
import type { Logger } from '../log/logger.js';
import { apolloLogger, maskUnexpectedErrors, requestLogPlugin } from '../observability/request-log.js';
import { buildSchema } from '../schema.js';
import type { Caller } from './caller.js';
import { operationContextPlugin } from './context.js';
import type { ServerObservability } from './types.js';

export interface ApolloOptions {
  config: Pick<Config, 'server' | 'limits' | 'rate' | 'cache'>;
  governor: RateGovernor;
  observability?: ServerObservability;
  logger: Logger;
  httpServer: http.Server;
  /** The one builder of an operation's context (see createContext). */
  buildContext: (caller: Caller) => Context;
}

/** One entry of `extensions.cache.hits`; `reason` only on a stale one. */
interface CacheHitReport {
  route: string;
  ageSeconds: number;
  stale: boolean;
  reason?: CacheHit['reason'];
}

/**
 * `extensions.cache`: the ISC answers an operation got from the response cache, each with its
 * route and age, so a frontend can tell how fresh what it shows is. Per ISC answer rather than per
 * field: one answer feeds several fields and the gateway knows freshness per answer; an extension
 * leaves the schema (and the supergraph) untouched.
 */
function cacheReport(hits: readonly CacheHit[] | undefined): { hits: CacheHitReport[] } | undefined {
  if (!hits || hits.length === 0) return undefined;
  return {
    hits: hits.map((hit) => ({
      route: `${hit.method} ${hit.route}`,
      ageSeconds: Math.floor(hit.ageMs / 1000),
      stale: hit.stale,
      ...(hit.reason && { reason: hit.reason }),
    })),
  };
}

/** Every answer reports the caller's ISC budget left, so a frontend can pace itself, and what came from the cache. */
function answerExtensionsPlugin(governor: RateGovernor): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind !== 'single') return;
          const { limit, remaining, resetInMs } = governor.budget(contextValue.rateKey());
          const budget = { limit, remaining, resetInMs };
          const cache = cacheReport(contextValue.scope.cacheHits);
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, rateLimit: budget, ...(cache && { cache }) };
        },
      };
    },
  };
}

/** Apollo Server with the gateway's limits, plugins and error masking, started. */
export async function startApollo({
  config,
  governor,
  observability,
  logger,
  httpServer,
  buildContext,
}: ApolloOptions): Promise<ApolloServer<Context>> {
  const { server, limits } = config;
  // Trusted documents replace APQ: ids are answered from the manifest, never registered by clients.
  const trusted = limits.trustedDocuments ? loadTrustedDocuments(limits.trustedDocuments) : undefined;
  const apollo = new ApolloServer<Context>({
    schema: buildSchema(observability?.schemaResolvers),
    includeStacktraceInErrorResponses: false,
    // Shutdown is ours (gateway.ts): unready first, drain, then stop. Apollo's own signal
    // handler would close the listener at once.
    stopOnTerminationSignals: false,
    logger: apolloLogger(logger),
    // Errors the gateway did not raise on purpose answer "Internal server error" with an errorId.
    formatError: maskUnexpectedErrors(logger),
    // Query limits (src/limits): a refused operation never reaches a resolver.
    validationRules: [...limitValidationRules(limits), ...(server.introspection ? [] : [introspectionOffRule])],
    parseOptions: { maxTokens: limits.maxTokens },
    allowBatchedHttpRequests: limits.maxBatchOperations > 1,
    persistedQueries: trusted ? false : automaticPersistedQueries(limits),
    plugins: [
      // First: every other plugin and every resolver reads the operation's context.
      operationContextPlugin(buildContext),
      answerExtensionsPlugin(governor),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Inline tracing (on by default for subgraphs) costs CPU on every request and feeds only
      // Apollo's hosted reporting, which this gateway does not use.
      ApolloServerPluginInlineTraceDisabled(),
      // HTTP cache hints are not used (answers are per caller); the plugin would wrap every resolver.
      ApolloServerPluginCacheControlDisabled(),
      requestLogPlugin(logger),
      // GraphiQL is served by the playground route; Apollo's own page only in sandbox mode (it loads from a CDN).
      server.playground === 'sandbox' ? ApolloServerPluginLandingPageLocalDefault({ embed: true }) : ApolloServerPluginLandingPageDisabled(),
      queryCostPlugin({
        limits,
        governor,
        rate: config.rate,
        costs: COSTS,
        answersWhileLimited: config.cache.enabled && config.cache.staleIfLimitedMs > 0,
      }),
      trusted ? trustedDocumentsPlugin(trusted) : persistedQueryGuardPlugin(),
      ...(observability?.plugins ?? []),
    ],
    // Refused by introspectionOffRule when off, with a message that names the gateway's setting.
    introspection: true,
  });
  await apollo.start();
  return apollo;
}
