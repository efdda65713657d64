import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { GraphQLError } from 'graphql';
import type { Config } from './config.js';
import type { DemoTenant } from './demo-tenant/server.js';
import { createAgents, describeProxy, destroyAgents } from './http/agents.js';
import { createRateGovernor } from './http/governor.js';
import { createResponseCache, REFERENCE_DATA_DOMAINS, type ResponseCache } from './http/response-cache.js';
import { createIscClient, unboundedScope } from './http/isc-client.js';
import { clientCredentialsExchange, createTokenProvider, type IssuedToken } from './http/token-provider.js';
import { log as defaultLogger, registerSecret, type Logger } from './log.js';
import { createObservability, type ObservabilityOptions } from './observability/index.js';
import { withUpstreamLog } from './observability/upstream-log.js';
import { createHttpGateway, type Readiness } from './server.js';

export interface ShutdownResult {
  /** Every in-flight request finished within the grace period. */
  drained: boolean;
  /** Requests still open when the grace period ran out (their connections were cut). */
  cut: number;
  durationMs: number;
}

export interface RunningGateway {
  url: string;
  /** Present when no `SAIL_BASE_URL` was configured. */
  demoTenant: DemoTenant | undefined;
  /** Present when `RESPONSE_CACHE=on`: its hit/miss counters. */
  responseCache: ResponseCache | undefined;
  /** Stops without the unready phase (tests, embedding code): Apollo's drain, then the same cleanup as `shutdown`. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): /readyz turns unready and new requests are refused with 503
   * `SHUTTING_DOWN`; in-flight requests get `graceMs` (default `SHUTDOWN_GRACE_MS`) to finish,
   * then any still open are cut; then the server, the upstream connections and the demo tenant close.
   */
  shutdown(graceMs?: number): Promise<ShutdownResult>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Probes ISC at most once per interval however often /readyz is polled; a failure is not cached. */
function cachedReadiness(probe: () => Promise<Readiness>, intervalMs = 10_000): () => Promise<Readiness> {
  let last: { at: number; result: Readiness } | undefined;
  return async () => {
    if (last && last.result.ready && Date.now() - last.at < intervalMs) return last.result;
    const result = await probe();
    last = { at: Date.now(), result };
    return result;
  };
}

/** Secrets the logs and error messages must never show, whatever the code path (see log.ts). */
function registerConfiguredSecrets(config: Config, clientSecret: string): void {
  registerSecret(clientSecret);
  registerSecret(config.clientSecret);
  for (const key of config.apiKeys) registerSecret(key);
  if (config.redis.url) {
    const redis = new URL(config.redis.url); // validated in config.ts
    registerSecret(decodeURIComponent(redis.password));
    registerSecret(redis.password);
    registerSecret(redis.searchParams.get('password') ?? undefined);
  }
  for (const proxy of [config.proxy.httpProxy, config.proxy.httpsProxy]) {
    if (!proxy) continue;
    try {
      const url = new URL(proxy.includes('://') ? proxy : `http://${proxy}`);
      registerSecret(decodeURIComponent(url.password));
      registerSecret(url.password);
    } catch {
      // validated in config.ts
    }
  }
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

/** Counts requests that have started and not finished, and says when there are none left. */
function trackInFlight(server: Server) {
  const open = new Set<ServerResponse>();
  let idle: (() => void) | undefined;
  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    res.once('close', () => {
      open.delete(res);
      if (open.size === 0) idle?.();
    });
  });
  return {
    get size() {
      return open.size;
    },
    /** Resolves true once no request is open, false when `ms` passed first. */
    async idleWithin(ms: number): Promise<boolean> {
      if (open.size === 0) return true;
      const timeout = new AbortController();
      const drained = new Promise<true>((resolve) => (idle = () => resolve(true)));
      const expired = sleep(ms, false as const, { signal: timeout.signal }).catch(() => false as const);
      const result = await Promise.race([drained, expired]);
      timeout.abort();
      idle = undefined;
      return result;
    },
  };
}

/** Wires config → (demo tenant) → token provider → ISC client → HTTP server, and listens. */
export interface GatewayOverrides {
  /** Spans go to this exporter (tests), whatever the OTEL_* variables say. */
  traceExporter?: ObservabilityOptions['traceExporter'];
}

export async function startGateway(config: Config, logger: Logger = defaultLogger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const demoTenant = config.baseUrl
    ? undefined
    : // Loaded only when used: a gateway in front of a real tenant never holds the demo data.
      await (await import('./demo-tenant/server.js')).startDemoTenant({ apiPrefix: config.apiPrefix, faults: config.demoTenantLatencyMs ? { latencyMs: config.demoTenantLatencyMs } : undefined });
  const baseUrl = config.baseUrl ?? demoTenant!.url;
  const clientId = demoTenant?.clientId ?? config.clientId ?? '';
  const clientSecret = demoTenant?.clientSecret ?? config.clientSecret ?? '';
  registerConfiguredSecrets(config, clientSecret);
  if (demoTenant) {
    logger.info('No SAIL_BASE_URL set: serving the built-in demo tenant with demo data', { demoTenant: demoTenant.url, latencyMs: config.demoTenantLatencyMs || undefined });
  }

  // One set of agents for the API calls and the token request: same proxy decision, same pool.
  const observability = createObservability(config, logger, process.env, { traceExporter: overrides.traceExporter });
  const agents = createAgents(baseUrl, config.proxy);
  if (agents.proxy) logger.info('ISC calls go through an outbound proxy', { proxy: describeProxy(agents.proxy) });
  const tokenUrl = `${baseUrl}/oauth/token`;
  const exchange = observability.tokenExchange(
    loggedExchange(clientCredentialsExchange(got.extend({ agent: { http: agents.http, https: agents.https }, timeout: { request: config.upstreamTimeoutMs } }), tokenUrl, clientId, clientSecret), logger),
  );
  const localTokens = createTokenProvider(exchange);
  const localCache = config.responseCache.enabled ? createResponseCache({ ...config.responseCache, domains: REFERENCE_DATA_DOMAINS }) : undefined;
  // Replicas share the token, the rate ledger and the cache through Redis (loaded only when configured).
  const scaleOut = config.redis.url
    ? await (await import('./http/scale-out.js')).connectScaleOut(config, logger, {
        exchange,
        tokenUrl,
        clientId,
        clientSecret,
        localTokens,
        localCache,
        cacheDomains: REFERENCE_DATA_DOMAINS,
      })
    : undefined;
  const shared = scaleOut?.store;
  const tokens = scaleOut?.tokens ?? localTokens;
  const responseCache = scaleOut ? scaleOut.cache : localCache;
  const governor = createRateGovernor({
    limit: config.rateLimit,
    windowMs: config.rateWindowMs,
    maxConcurrency: config.rateMaxConcurrency,
    maxQueue: config.rateMaxQueue,
    ledger: scaleOut?.ledger,
  });
  const iscClient = createIscClient({
    apiUrl: `${baseUrl}${config.apiPrefix}`,
    timeoutMs: config.upstreamTimeoutMs,
    tokens,
    clientId,
    governor,
    retry: { maxAttempts: config.retryAttempts, baseDelayMs: config.retryBaseDelayMs, maxDelayMs: 5_000 },
    breaker: {
      errorThresholdPercentage: config.breakerErrorPercent,
      volumeThreshold: config.breakerVolume,
      resetTimeoutMs: config.breakerResetMs,
      rollingWindowMs: 10_000,
    },
    agents,
    cache: responseCache,
    observers: observability.upstreamObservers,
  });
  observability.watch({ governor, client: iscClient, cache: responseCache, shared });
  const client = withUpstreamLog(iscClient, logger);
  const { httpServer, apollo, markShuttingDown } = await createHttpGateway({
    config,
    client,
    governor,
    observability: observability.server,
    readiness: cachedReadiness(async (): Promise<Readiness> => {
      // Redis unreachable is not unready: the replica serves on its per-process share.
      const redis: Record<string, string> = shared ? { redis: shared.available() ? 'ok' : 'unreachable: per-process fallback' } : {};
      if (!client.breakerClosed()) return { ready: false, checks: { upstream: 'circuit open after repeated failures', ...redis } };
      if (config.authMode === 'passthrough') return { ready: true, checks: { upstream: 'circuit closed', ...redis } };
      try {
        // A one-item read: proves a token can be obtained and ISC answers, at the cost of one call.
        await client.send({ kind: 'client-credentials' }, { method: 'GET', path: 'connector-customizers', searchParams: { limit: 1 } }, unboundedScope());
        return { ready: true, checks: { token: 'ok', upstream: 'ok', ...redis } };
      } catch (error) {
        return { ready: false, checks: { upstream: (error as Error).message, ...redis } };
      }
    }),
    auth: {
      authMode: config.authMode,
      apiKeys: config.apiKeys,
      openDemo: demoTenant !== undefined && LOOPBACK_HOSTS.has(config.host),
    },
  });

  const inFlight = trackInFlight(httpServer);
  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.port, config.host, resolve);
    });
  } catch (error) {
    // Port taken, say: release what was opened, so embedding code is not kept alive by it.
    await apollo.stop();
    destroyAgents(agents);
    await shared?.close();
    await demoTenant?.close();
    await observability.shutdown();
    throw error;
  }
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await apollo.stop(); // the drain plugin closes the HTTP server and its idle connections
      destroyAgents(agents);
      await shared?.close();
      await demoTenant?.close();
      await observability.shutdown();
    })());

  let shuttingDown: Promise<ShutdownResult> | undefined;
  return {
    responseCache,
    url: `http://${host}:${port}/graphql`,
    demoTenant,
    close: stop,
    shutdown(graceMs = config.shutdownGraceMs) {
      shuttingDown ??= (async () => {
        const started = performance.now();
        markShuttingDown();
        logger.info('Shutting down: refusing new requests, draining in-flight ones', { inFlight: inFlight.size, graceMs });
        const drained = await inFlight.idleWithin(graceMs);
        const cut = drained ? 0 : inFlight.size;
        if (!drained) {
          logger.warn('Grace period over: cutting requests still open', { open: cut, graceMs });
          httpServer.closeAllConnections();
        }
        await stop();
        const durationMs = Math.round(performance.now() - started);
        logger.info('Gateway stopped', { drained, cut, durationMs });
        return { drained, cut, durationMs };
      })();
      return shuttingDown;
    },
  };
}
