import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ownCredentialsUnusable, type InboundAuth } from './auth/credentials.js';
import { createSessionMode, type SessionMode } from './auth/session/index.js';
import { isLoopbackHost, metricsOpenToAnyone, type Config } from './config/index.js';
import type { DemoTenant } from './demo-tenant/server.js';
import { CACHEABLE_COLLECTIONS, COLLECTIONS, READINESS_PROBE, ROUTE_TEMPLATES } from './domains.js';
import { connectUpstream, type Tenant, type UpstreamConnection } from './isc/connect.js';
import type { ResponseCache } from './isc/response-cache.js';
import { createObservability, type Observability, type ObservabilityOptions } from './observability/index.js';
import { log as defaultLogger, type Logger } from './log/logger.js';
import { registerSecret } from './log/redaction.js';
import { readinessCheck } from './readiness.js';
import { createHttpGateway, operatorServer } from './http/index.js';
import { loadStaticSite } from './static-site.js';

export interface ShutdownResult {
  /** Every in-flight request finished within the grace period. */
  drained: boolean;
  /** Requests still open when the grace period ran out (their connections were cut). */
  cut: number;
  durationMs: number;
}

export interface RunningGateway {
  /** The GraphQL endpoint on the listener's address. */
  url: string;
  /** The GraphQL endpoint as browsers should reach it: on sign-in's public origin when sign-in is on (its cookies belong to that host). */
  publicUrl: string;
  /** The metrics listener's `/metrics` when `SAIL_METRICS_PORT` is set. */
  metricsUrl: string | undefined;
  /** Present when no `SAIL_BASE_URL` was configured. */
  demoTenant: DemoTenant | undefined;
  /** Present when `SAIL_RESPONSE_CACHE=on`: its hit/miss counters. */
  responseCache: ResponseCache | undefined;
  /**
   * Asks ISC for the gateway's own token once (the token then serves the first requests): resolves
   * with what to log. Never needed to serve; `npm start` runs it after the ready line.
   */
  checkCredentials(): Promise<{ ok: boolean; message: string }>;
  /** Stops without the unready phase (tests, embedding code): Apollo's drain, then the same cleanup as `shutdown`. */
  close(): Promise<void>;
  /**
   * Graceful stop (SIGTERM): /readyz turns unready and new requests are refused with 503
   * `SHUTTING_DOWN`; in-flight requests get `graceMs` (default `SAIL_SHUTDOWN_GRACE_MS`) to finish,
   * then any still open are cut; then the server, the upstream connections and the demo tenant close.
   */
  shutdown(graceMs?: number): Promise<ShutdownResult>;
}

export interface GatewayOverrides {
  /** Spans go to this exporter (tests), whatever the OTEL_* variables say. */
  traceExporter?: ObservabilityOptions['traceExporter'];
  /** The built-in demo tenant keeps every request it receives, headers included (tests only). */
  recordDemoTenantRequests?: boolean;
}

/** Wires config → (demo tenant) → ISC client → HTTP server, and listens. */
export async function startGateway(config: Config, logger: Logger = defaultLogger, overrides: GatewayOverrides = {}): Promise<RunningGateway> {
  warnAboutSettingNames(config, logger);
  const demoTenant = config.demo.enabled ? await startBuiltInDemoTenant(config, overrides, logger) : undefined;
  const tenant = tenantOf(config, demoTenant);
  registerConfiguredSecrets(config, tenant.clientSecret);
  const auth = { authMode: config.auth.mode, apiKeys: config.auth.apiKeys, openDemo: demoTenant !== undefined && isLoopbackHost(config.server.host) };
  warnAboutExposure(config, tenant, demoTenant, auth, logger);

  const observability = createObservability(config.observability, config.limits, logger, process.env, { traceExporter: overrides.traceExporter });
  // A setting refused here (an unknown cache domain, say) must not leave the demo tenant listening.
  const upstream = await connectObservedUpstream(config, tenant, observability, logger).catch(async (error: unknown) => {
    await demoTenant?.close();
    await observability.shutdown();
    throw error;
  });
  let signIn: SessionMode | undefined;
  const { httpServer, apollo, markShuttingDown } = await createHttpGateway({
    config,
    client: upstream.client,
    governor: upstream.governor,
    observability: observability.server,
    logger,
    readiness: readinessCheck({
      client: upstream.client,
      probe: READINESS_PROBE,
      passthrough: config.auth.mode === 'passthrough',
      shared: upstream.shared,
      sharedCache: upstream.sharedCache,
      ...config.upstream.readiness,
    }),
    auth,
    session: () => signIn,
    site: config.server.frontendDir ? loadStaticSite(config.server.frontendDir) : undefined,
  });

  const inFlight = trackInFlight(httpServer);
  const { metricsPort, metricsToken } = config.observability;
  const metricsServer = metricsPort !== undefined ? operatorServer(observability.server.routes, metricsToken) : undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await closeServer(metricsServer);
      await apollo.stop(); // the drain plugin closes the HTTP server and its idle connections
      await upstream.close();
      await demoTenant?.close();
      await observability.shutdown();
    })());
  await listenOrStop(config, httpServer, metricsServer, stop);
  const port = portOf(httpServer);
  if (config.session.enabled) signIn = startSignIn(config, tenant, demoTenant, upstream, port, logger);

  let shuttingDown: Promise<ShutdownResult> | undefined;
  const url = `http://${urlHost(config.server.host)}:${port}/graphql`;
  return {
    responseCache: upstream.cache,
    url,
    publicUrl: signIn ? `${signIn.publicUrl}/graphql` : url,
    checkCredentials: () => checkOwnCredentials(config, upstream),
    metricsUrl: metricsServer ? `http://${urlHost((metricsServer.address() as AddressInfo).address)}:${portOf(metricsServer)}/metrics` : undefined,
    demoTenant,
    close: stop,
    shutdown(graceMs = config.server.shutdownGraceMs) {
      shuttingDown ??= drainAndStop({ httpServer, inFlight, markShuttingDown, stop, logger }, graceMs);
      return shuttingDown;
    },
  };
}

const urlHost = (address: string) => (address.includes(':') ? `[${address}]` : address);
const portOf = (server: Server) => (server.address() as AddressInfo).port;

function warnAboutSettingNames(config: Config, logger: Logger): void {
  if (config.deprecations.length > 0) {
    logger.warn('Deprecated setting names: they still work, rename them', { renamed: config.deprecations });
  }
  if (config.retired.length > 0) logger.warn('Retired settings: they no longer have any effect, remove them', { retired: config.retired });
}

/** The ISC tenant the gateway serves: the built-in demo tenant when it runs, else the configured one. */
function tenantOf(config: Config, demoTenant: DemoTenant | undefined): Tenant {
  return demoTenant
    ? { baseUrl: demoTenant.url, clientId: demoTenant.clientId, clientSecret: demoTenant.clientSecret }
    : { baseUrl: config.upstream.baseUrl!, clientId: config.upstream.clientId ?? '', clientSecret: config.upstream.clientSecret ?? '' };
}

/** Said once at start: plain http to ISC, own credentials that cannot work, /metrics open to anyone. */
function warnAboutExposure(config: Config, tenant: Tenant, demoTenant: DemoTenant | undefined, auth: InboundAuth, logger: Logger): void {
  const insecure = !demoTenant && new URL(tenant.baseUrl);
  if (insecure && insecure.protocol === 'http:' && !isLoopbackHost(insecure.hostname)) {
    logger.warn('SAIL_ALLOW_INSECURE_HTTP=on: ISC calls and the client secret travel over plain http', { host: insecure.host });
  }
  const unusable = ownCredentialsUnusable(auth);
  if (unusable) logger.warn(unusable);
  // In production this refuses to start (config.ts); elsewhere it is said once.
  if (metricsOpenToAnyone(config.observability, config.server.host)) {
    logger.warn(
      `/metrics answers anyone who reaches SAIL_HOST=${config.server.host}: set SAIL_METRICS_TOKEN or SAIL_METRICS_PORT, or SAIL_METRICS=off`,
    );
  }
}

/** The upstream pipeline, its calls and token exchanges observed, its state watched by the metrics. */
async function connectObservedUpstream(config: Config, tenant: Tenant, observability: Observability, logger: Logger): Promise<UpstreamConnection> {
  const upstream = await connectUpstream(
    config,
    tenant,
    {
      routes: ROUTE_TEMPLATES,
      collections: COLLECTIONS,
      cacheableCollections: CACHEABLE_COLLECTIONS,
      observers: observability.upstreamObservers,
      tokenExchange: (exchange) => observability.tokenExchange(exchange),
    },
    logger,
  );
  observability.watch({
    governor: upstream.governor,
    client: upstream.client,
    cache: upstream.cache,
    shared: upstream.shared,
    sharedCache: upstream.sharedCache,
  });
  return upstream;
}

/** Listens on the GraphQL port (and the metrics port); on failure (a port taken, say) stops what was opened. */
async function listenOrStop(config: Config, httpServer: Server, metricsServer: Server | undefined, stop: () => Promise<void>): Promise<void> {
  try {
    await listen(httpServer, config.server.port, config.server.host);
    if (metricsServer) await listen(metricsServer, config.observability.metricsPort!, config.observability.metricsHost);
  } catch (error) {
    await stop(); // release what was opened, so embedding code is not kept alive by it
    throw error;
  }
}

/** The graceful stop: refuse new requests, give in-flight ones `graceMs`, cut the rest, then stop. */
async function drainAndStop(
  gateway: {
    httpServer: Server;
    inFlight: ReturnType<typeof trackInFlight>;
    markShuttingDown: () => void;
    stop: () => Promise<void>;
    logger: Logger;
  },
  graceMs: number,
): Promise<ShutdownResult> {
  const { httpServer, inFlight, markShuttingDown, stop, logger } = gateway;
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
}

/** One token request for the gateway's own credentials, and what to say of it. */
async function checkOwnCredentials(config: Config, upstream: UpstreamConnection): Promise<{ ok: boolean; message: string }> {
  if (config.auth.mode === 'passthrough') return { ok: true, message: 'Pass-through mode: the gateway has no ISC credentials of its own to check' };
  try {
    await upstream.checkCredentials();
    return { ok: true, message: 'Credentials checked at start: ISC issued a token for SAIL_CLIENT_ID and SAIL_CLIENT_SECRET' };
  } catch (error) {
    return { ok: false, message: `Credentials checked at start: ISC issued no token (${(error as Error).message})` };
  }
}

/** Sign-in at the gateway, once the port is known: the demo's public URL and redirect URI name it. */
function startSignIn(
  config: Config,
  tenant: Tenant,
  demoTenant: DemoTenant | undefined,
  upstream: UpstreamConnection,
  port: number,
  logger: Logger,
): SessionMode {
  const { session } = config;
  const login = demoTenant
    ? demoTenant.login
    : { clientId: session.clientId!, clientSecret: session.clientSecret!, authorizeUrl: session.authorizeUrl! }; // checked in config
  const mode = createSessionMode({
    config: session,
    login: { ...login, authorizeUrl: session.authorizeUrl ?? login.authorizeUrl },
    tokenUrl: `${tenant.baseUrl}/oauth/token`,
    tokenHttp: upstream.tokenHttp,
    tokenTimeoutMs: config.upstream.tokenTimeoutMs,
    publicUrl: session.publicUrl ?? `http://localhost:${port}`,
    corsOrigins: config.server.corsOrigins,
    shared: upstream.shared,
    logger,
  });
  demoTenant?.registerRedirectUri(mode.redirectUri);
  return mode;
}

/** Loaded only when used: a gateway in front of a real tenant never holds the demo data. */
async function startBuiltInDemoTenant(config: Config, overrides: GatewayOverrides, logger: Logger): Promise<DemoTenant> {
  const { startDemoTenant } = await import('./demo-tenant/server.js');
  const latencyMs = config.demo.latencyMs || undefined;
  const tenant = await startDemoTenant({
    apiPrefix: config.upstream.apiPrefix, // it serves the per-resource paths as well: either layout works
    faults: latencyMs ? { latencyMs } : undefined,
    deprecated: config.demo.deprecated,
    recordRequests: overrides.recordDemoTenantRequests ?? false,
  });
  logger.info('No SAIL_BASE_URL set: serving the built-in demo tenant with demo data', { demoTenant: tenant.url, latencyMs });
  return tenant;
}

/** Secrets the logs and error messages must never show, whatever the code path (see redaction.ts). */
function registerConfiguredSecrets(config: Config, clientSecret: string): void {
  registerSecret(clientSecret);
  registerSecret(config.upstream.clientSecret);
  for (const key of config.auth.apiKeys) registerSecret(key);
  registerSecret(config.observability.metricsToken);
  if (config.redis.url) {
    const redis = new URL(config.redis.url); // validated in config.ts
    registerSecret(decodeURIComponent(redis.password));
    registerSecret(redis.password);
    registerSecret(redis.searchParams.get('password') ?? undefined);
  }
  for (const proxy of [config.upstream.proxy.httpProxy, config.upstream.proxy.httpsProxy]) {
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
