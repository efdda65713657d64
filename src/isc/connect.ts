import got, { type Got } from 'got';
import { GraphQLError } from 'graphql';
import { ConfigError, type Config } from '../config/index.js';
import { DEFAULTS } from '../config/defaults.js';
import { localWriteClock, routeWords } from './write-clock.js';
import type { Logger } from '../log/logger.js';
import { createAgents, describeProxy, destroyAgents, type OutboundAgents } from './agents.js';
import { createIscClient } from './client.js';
import { checkCollections, type ApiPaths } from './api-paths.js';
import type { DeprecationNotice } from './deprecations.js';
import { createRateGovernor, type RateGovernor } from './governor.js';
import { withUnverifiedPool } from './passthrough.js';
import { createResponseCache, type ResponseCache } from './response-cache.js';
import type { ScaleOut, ScaleOutParts } from './scale-out/index.js';
import type { SharedStore } from '../redis/connection.js';
import { clientCredentialsExchange, createTokenProvider, withFailureBackoff, type IssuedToken } from './token-provider.js';
import type { IscClient, UpstreamObserver } from './types.js';

/** The tenant to call: the configured one, or the built-in demo tenant. */
export interface Tenant {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
}

/** What the rest of the gateway is given of the domains and of observability. */
export interface UpstreamParts {
  routes: readonly string[];
  /** Every domain's collection, and those cached by default. */
  collections: readonly string[];
  cacheableCollections: readonly string[];
  observers: readonly UpstreamObserver[];
  /** Wraps the token exchange (token metrics and spans). */
  tokenExchange(exchange: () => Promise<IssuedToken>): () => Promise<IssuedToken>;
}

export interface UpstreamConnection {
  client: IscClient;
  governor: RateGovernor;
  cache: ResponseCache | undefined;
  /** The replicas' Redis, when configured. */
  shared: SharedStore | undefined;
  /** The Redis of the shared cache's entries, when it is another one (`SAIL_REDIS_CACHE_URL`). */
  sharedCache: SharedStore | undefined;
  /** The token requests' HTTP client (the API calls' agents and proxy, the token timeout), for sign-in too. */
  tokenHttp: Got;
  /** Gets the gateway's own token (the cached one if any): resolves when ISC issued one, rejects with why it did not. */
  checkCredentials(): Promise<void>;
  close(): Promise<void>;
}

type ConnectionConfig = Pick<Config, 'upstream' | 'rate' | 'cache' | 'redis'> & { session?: Pick<Config['session'], 'secrets'> };

/**
 * Everything that talks to ISC, wired once: outbound agents (proxy), the token (with backoff after
 * failures, shared through Redis when scaled out), the response cache, the rate governor and the
 * client pipeline.
 */
export async function connectUpstream(config: ConnectionConfig, tenant: Tenant, parts: UpstreamParts, logger: Logger): Promise<UpstreamConnection> {
  const { upstream } = config;
  checkCollections(parts.collections);
  // One set of agents for the API calls and the token request: same proxy decision, same pool.
  const agents = createAgents(tenant.baseUrl, upstream.proxy);
  if (agents.proxy) logger.info('ISC calls go through an outbound proxy', { proxy: describeProxy(agents.proxy) });
  const { tokenUrl, exchange, localTokens, http: tokenHttp } = tokenSource(tenant, upstream.tokenTimeoutMs, agents, parts, logger);
  const words = routeWords(parts.routes);
  const cachedDomains = config.cache.enabled ? domainTtls(config.cache, parts) : undefined;
  const localCache = cachedDomains && createResponseCache({ ...config.cache, domains: cachedDomains });
  const localClock = localWriteClock(words);
  const scaleOut = await scaleOutOf(config, logger, {
    baseUrl: tenant.baseUrl,
    exchange,
    tokenUrl,
    clientId: tenant.clientId,
    clientSecret: tenant.clientSecret,
    cacheSecret: tenant.clientSecret || config.session?.secrets[0], // seals the shared cache's entries
    localTokens,
    localCache,
    cacheDomains: cachedDomains ?? {},
    localClock,
    words,
  });
  const cache = scaleOut ? scaleOut.cache : localCache;
  const governor = governorOf(config.rate, scaleOut);
  const tokens = scaleOut?.tokens ?? localTokens;
  const client = createIscClient({
    baseUrl: tenant.baseUrl,
    ...pathLayout(upstream, logger),
    timeoutMs: upstream.timeoutMs,
    tokens,
    clientId: tenant.clientId,
    governor,
    retry: { maxAttempts: upstream.retryAttempts, baseDelayMs: upstream.retryBaseDelayMs, maxDelayMs: DEFAULTS.upstream.retryMaxDelayMs },
    breaker: { ...breakerSettings(upstream.breaker), rollingWindowMs: DEFAULTS.upstream.breaker.rollingWindowMs },
    agents,
    cache,
    observers: parts.observers,
    maxBodyBytes: upstream.maxBodyBytes,
    maxRetryAfterMs: upstream.maxRetryAfterMs,
    onRetryAfterClamped: (event) => logger.warn('ISC asked for a longer pause than SAIL_MAX_RETRY_AFTER_MS allows: pausing for the maximum', event),
    routes: parts.routes,
    clock: scaleOut?.clock ?? localClock,
    coalesce: config.cache.coalesce,
    tokenVerdicts: scaleOut?.tokenVerdicts,
  });
  return {
    client,
    governor,
    cache,
    shared: scaleOut?.store,
    sharedCache: scaleOut && scaleOut.cacheStore !== scaleOut.store ? scaleOut.cacheStore : undefined,
    tokenHttp,
    checkCredentials: async () => void (await tokens.getToken()),
    async close() {
      destroyAgents(agents);
      await scaleOut?.close();
    },
  };
}

/** ISC's path layout, and the one warning per route ISC marks deprecated in it. */
function pathLayout(upstream: ConnectionConfig['upstream'], logger: Logger): { paths: ApiPaths; onDeprecated: DeprecationNotice } {
  return {
    paths: { layout: upstream.apiPaths, prefix: upstream.apiPrefix },
    onDeprecated: ({ method, route, layout, advice }) =>
      logger.warn(`ISC marks a route deprecated (X-Deprecated: true): ${advice}`, { method, route, layout }),
  };
}

/** ISC's budget per client; tokens ISC has not accepted yet share a small pool of their own, never a verified client's slots. */
function governorOf(rate: ConnectionConfig['rate'], scaleOut: ScaleOut | undefined): RateGovernor {
  return withUnverifiedPool(
    createRateGovernor({ ...rate, ledger: scaleOut?.ledger }),
    createRateGovernor({ ...rate, limit: rate.unverifiedLimit, maxConcurrency: rate.unverifiedMaxConcurrency, ledger: scaleOut?.unverifiedLedger }),
  );
}

/** Replicas share the token, the rate ledger, the write clock and the cache through Redis: loaded only when configured. */
async function scaleOutOf(config: ConnectionConfig, logger: Logger, parts: ScaleOutParts): Promise<ScaleOut | undefined> {
  if (!config.redis.url) return undefined;
  return (await import('./scale-out/index.js')).connectScaleOut(config, logger, parts);
}

const breakerSettings = (b: ConnectionConfig['upstream']['breaker']) => ({
  errorThresholdPercentage: b.errorPercent,
  volumeThreshold: b.volume,
  resetTimeoutMs: b.resetMs,
});

/** Each cached domain's TTL: the operator's choice (`SAIL_RESPONSE_CACHE_DOMAINS`), or the domains cached by default. */
function domainTtls(cache: Config['cache'], parts: UpstreamParts): Record<string, number> {
  const chosen = cache.domains ?? parts.cacheableCollections.map((name) => ({ name, ttlMs: undefined }));
  for (const { name } of chosen) {
    if (!parts.collections.includes(name)) {
      throw new ConfigError(`SAIL_RESPONSE_CACHE_DOMAINS: "${name}" is not a domain (${parts.collections.join(', ')})`);
    }
  }
  return Object.fromEntries(chosen.map(({ name, ttlMs }) => [name, ttlMs ?? cache.ttlMs]));
}

/** The client-credentials token of this process: the exchange through the same agents, logged, observed and backed off after failures. */
function tokenSource(tenant: Tenant, timeoutMs: number, agents: Pick<OutboundAgents, 'http' | 'https'>, parts: UpstreamParts, logger: Logger) {
  const tokenUrl = `${tenant.baseUrl}/oauth/token`;
  const http = got.extend({ agent: { http: agents.http, https: agents.https }, timeout: { request: timeoutMs } });
  const exchange = withFailureBackoff(
    parts.tokenExchange(loggedExchange(clientCredentialsExchange(http, tokenUrl, tenant.clientId, tenant.clientSecret, timeoutMs), logger)),
  );
  return { tokenUrl, exchange, localTokens: createTokenProvider(exchange), http };
}

/** The token exchange, with its outcome logged (never the token: lifetime and timing only). */
function loggedExchange(exchange: () => Promise<IssuedToken>, logger: Logger): () => Promise<IssuedToken> {
  return async () => {
    const started = performance.now();
    try {
      const issued = await exchange();
      logger.debug('ISC token issued', { expiresIn: issued.expiresIn, durationMs: Math.round(performance.now() - started) });
      return issued;
    } catch (error) {
      const extensions = error instanceof GraphQLError ? error.extensions : {};
      logger.warn('ISC token request failed', { code: extensions.code, httpStatus: extensions.httpStatus, error: (error as Error).message });
      throw error;
    }
  };
}
