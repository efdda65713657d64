import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import got from 'got';
import { GraphQLError } from 'graphql';
import { isLoopbackHost, type Config } from './config.js';
import type { DemoTenant } from './demo-tenant/server.js';
import { createAgents, describeProxy, destroyAgents } from './isc/agents.js';
import { createRateGovernor } from './isc/governor.js';
import { createResponseCache, type ResponseCache } from './isc/response-cache.js';
import { CACHEABLE_COLLECTIONS, READINESS_PROBE, ROUTE_TEMPLATES } from './domains.js';
import { createIscClient } from './isc/client.js';
import { clientCredentialsExchange, createTokenProvider, withFailureBackoff, type IssuedToken } from './isc/token-provider.js';
import { log as defaultLogger, type Logger } from './observability/log/logger.js';
import { registerSecret } from './observability/log/redaction.js';
import { createObservability, type ObservabilityOptions } from './observability/index.js';
import { createHttpGateway, operatorServer, type Readiness } from './server.js';

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
  /** The metrics listener's `/metrics` when `SAIL_METRICS_PORT` is set. */
  metricsUrl: string | undefined;
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

/**
 * `/readyz` answers anonymous callers, so it must cost ISC nothing they can multiply: one probe
 * runs at a time (single flight), and its result, success or failure, is reused for `intervalMs`.
 */
export function sharedReadiness(probe: () => Promise<Readiness>, intervalMs: number, now: () => number = Date.now): () => Promise<Readiness> {
  let last: { at: number; result: Readiness } | undefined;
  let inFlight: Promise<Readiness> | undefined;
  return () => {
    if (last && now() - last.at < intervalMs) return Promise.resolve(last.result);
    inFlight ??= probe()
      .then((result) => {
        last = { at: now(), result };
        return result;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
}

/** Rejects with `message` after `ms` (unref'd), for a race with work that has no deadline of its own. */
function timeout(ms: number, message: string): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
    timer.unref();
  });
  return { promise, cancel: () => clearTimeout(timer) };
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeServer(server: Server | undefined): Promise<void> {
  if (!server?.listening) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
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
  /** The built-in demo tenant keeps every request it receives, headers included (tests only). */
  recordDemoTenantRequests?: boolean;
}

export async function startGateway(config: Config, logger: Logger = defaultLogger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  const demoTenant = !config.demoTenant
    ? undefined
    : // Loaded only when used: a gateway in front of a real tenant never holds the demo data.
      await (await import('./demo-tenant/server.js')).startDemoTenant({
        apiPrefix: config.apiPrefix,
        faults: config.demoTenantLatencyMs ? { latencyMs: config.demoTenantLatencyMs } : undefined,
        recordRequests: overrides.recordDemoTenantRequests ?? false,
      });
  const baseUrl = config.baseUrl ?? demoTenant!.url;
  const clientId = demoTenant?.clientId ?? config.clientId ?? '';
  const clientSecret = demoTenant?.clientSecret ?? config.clientSecret ?? '';
  registerConfiguredSecrets(config, clientSecret);
  if (demoTenant) {
    logger.info('No SAIL_BASE_URL set: serving the built-in demo tenant with demo data', { demoTenant: demoTenant.url, latencyMs: config.demoTenantLatencyMs || undefined });
  }
  if (config.baseUrl && new URL(config.baseUrl).protocol === 'http:' && !isLoopbackHost(new URL(config.baseUrl).hostname)) {
    logger.warn('SAIL_ALLOW_INSECURE_HTTP=on: ISC calls and the client secret travel over plain http', { host: new URL(config.baseUrl).host });
  }

  // One set of agents for the API calls and the token request: same proxy decision, same pool.
  const observability = createObservability(config, logger, process.env, { traceExporter: overrides.traceExporter });
  const agents = createAgents(baseUrl, config.proxy);
  if (agents.proxy) logger.info('ISC calls go through an outbound proxy', { proxy: describeProxy(agents.proxy) });
  const tokenUrl = `${baseUrl}/oauth/token`;
  const exchange = withFailureBackoff(
    observability.tokenExchange(
      loggedExchange(clientCredentialsExchange(got.extend({ agent: { http: agents.http, https: agents.https }, timeout: { request: config.upstreamTimeoutMs } }), tokenUrl, clientId, clientSecret), logger),
    ),
  );
  const localTokens = createTokenProvider(exchange);
  const localCache = config.responseCache.enabled ? createResponseCache({ ...config.responseCache, domains: CACHEABLE_COLLECTIONS }) : undefined;
  // Replicas share the token, the rate ledger and the cache through Redis (loaded only when configured).
  const scaleOut = config.redis.url
    ? await (await import('./isc/scale-out/index.js')).connectScaleOut(config, logger, {
        apiUrl: `${baseUrl}${config.apiPrefix}`,
        exchange,
        tokenUrl,
        clientId,
        clientSecret,
        localTokens,
        localCache,
        cacheDomains: CACHEABLE_COLLECTIONS,
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
    maxBodyBytes: config.maxUpstreamBodyBytes,
    routes: ROUTE_TEMPLATES,
    maxRetryAfterMs: config.maxRetryAfterMs,
    onRetryAfterClamped: (event) => logger.warn('ISC asked for a longer pause than SAIL_MAX_RETRY_AFTER_MS allows: pausing for the maximum', event),
  });
  observability.watch({ governor, client: iscClient, cache: responseCache, shared });
  const client = iscClient;
  const { httpServer, apollo, markShuttingDown } = await createHttpGateway({
    config,
    client,
    governor,
    observability: observability.server,
    logger,
    readiness: sharedReadiness(async (): Promise<Readiness> => {
      // Redis unreachable is not unready: the replica serves on its per-process share.
      const redis: Record<string, string> = shared ? { redis: shared.available() ? 'ok' : 'unreachable: per-process fallback' } : {};
      if (!client.breakerClosed()) return { ready: false, checks: { upstream: 'circuit open after repeated failures', ...redis } };
      if (config.authMode === 'passthrough') return { ready: true, checks: { upstream: 'circuit closed', ...redis } };
      const { timeoutMs } = config.readiness;
      // The probe's own short deadline; a background call: no cache, no retry, no queueing ahead of callers.
      const scope = { deadline: Date.now() + timeoutMs, signal: AbortSignal.timeout(timeoutMs), rateLimitWaitLeftMs: 0, background: true };
      const deadline = timeout(timeoutMs, `no answer within ${timeoutMs} ms (SAIL_READINESS_TIMEOUT_MS)`);
      try {
        // The cheapest read a domain offers: proves a token can be obtained and ISC answers.
        await Promise.race([client.send({ kind: 'client-credentials' }, READINESS_PROBE, scope), deadline.promise]);
        return { ready: true, checks: { token: 'ok', upstream: 'ok', ...redis } };
      } catch (error) {
        // Callers are using the whole rate budget right now: the gateway works, it just did not probe.
        if (error instanceof GraphQLError && error.extensions.code === 'RATE_LIMITED') {
          return { ready: true, checks: { upstream: 'not probed: the rate budget is in use by callers', ...redis } };
        }
        if (error instanceof GraphQLError && error.extensions.code === 'DEADLINE_EXCEEDED') {
          return { ready: false, checks: { upstream: `no answer within ${timeoutMs} ms (SAIL_READINESS_TIMEOUT_MS)`, ...redis } };
        }
        return { ready: false, checks: { upstream: (error as Error).message, ...redis } };
      } finally {
        deadline.cancel();
      }
    }, config.readiness.intervalMs),
    auth: {
      authMode: config.authMode,
      apiKeys: config.apiKeys,
      openDemo: demoTenant !== undefined && LOOPBACK_HOSTS.has(config.host),
    },
  });

  const inFlight = trackInFlight(httpServer);
  const metricsServer = config.metricsPort !== undefined ? operatorServer(observability.server.routes, config.metricsToken) : undefined;
  try {
    await listen(httpServer, config.port, config.host);
    if (metricsServer) await listen(metricsServer, config.metricsPort!, config.host);
  } catch (error) {
    // Port taken, say: release what was opened, so embedding code is not kept alive by it.
    await closeServer(metricsServer);
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
      await closeServer(metricsServer);
      await apollo.stop(); // the drain plugin closes the HTTP server and its idle connections
      destroyAgents(agents);
      await shared?.close();
      await demoTenant?.close();
      await observability.shutdown();
    })());

  let shuttingDown: Promise<ShutdownResult> | undefined;
  const metricsAddress = metricsServer?.address() as AddressInfo | undefined;
  return {
    responseCache,
    url: `http://${host}:${port}/graphql`,
    metricsUrl: metricsAddress ? `http://${host}:${metricsAddress.port}/metrics` : undefined,
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
