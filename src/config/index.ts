/** Gateway configuration, read once from the environment and validated at start. */
import type { ProxySettings } from './isc/agents.js';
import { LOG_LEVELS, defaultLogLevel, parseLogLevel, type LogLevel } from './log/logger.js';
import { sessionConfig, type SessionConfig } from './auth/session/settings.js';
import { ConfigError, flagSetting as flag, integerSetting as integer, isLoopbackHost, readEnvironment, type Environment } from './settings.js';

export { ConfigError, RENAMED_SETTINGS } from './settings.js';

export type AuthMode = 'auto' | 'client-credentials' | 'passthrough';
export type PlaygroundMode = 'graphiql' | 'sandbox' | 'off';

export interface Config {
  /** The HTTP server. */
  server: {
    port: number;
    host: string;
    corsOrigins: string[];
    /** Largest request body the HTTP server reads. */
    maxBodyBytes: number;
    /** On SIGTERM: how long in-flight requests may take to finish before they are cut. */
    shutdownGraceMs: number;
    /** The IDE served at `GET /graphql` to browsers. */
    playground: PlaygroundMode;
    /** Whether the schema can be introspected; follows the playground unless set. */
    introspection: boolean;
    /** A frontend's built files, served at /app/ (`SAIL_FRONTEND_DIR`). */
    frontendDir: string | undefined;
  };
  /** The ISC tenant and how it is called. */
  upstream: {
    /** ISC tenant API host, e.g. `https://acme.api.identitynow.com`; undefined → built-in demo tenant. */
    baseUrl: string | undefined;
    clientId: string | undefined;
    clientSecret: string | undefined;
    /** Version prefix of the REST API. */
    apiPrefix: string;
    /** Timeout of one upstream call. */
    timeoutMs: number;
    /** Timeout of the token request: shorter, so a token endpoint that never answers is reported early. */
    tokenTimeoutMs: number;
    /** Largest ISC answer read, counted after decompression. */
    maxBodyBytes: number;
    /** Longest pause one ISC `Retry-After` may impose. */
    maxRetryAfterMs: number;
    /** `http://` accepted for a non-loopback `SAIL_BASE_URL`. */
    allowInsecureHttp: boolean;
    /** Outbound proxy for ISC calls and the token request (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, or lower case). */
    proxy: ProxySettings;
    /** Attempts per idempotent ISC call on 502/503/504, resets and timeouts (first included). */
    retryAttempts: number;
    retryBaseDelayMs: number;
    /** Circuit breaker: opens when `errorPercent` of the calls in the rolling window failed and at least `volume` were made; stays open `resetMs`. */
    breaker: { errorPercent: number; volume: number; resetMs: number };
    /** `/readyz`: how long one probe's result is reused, and the probe's own deadline. */
    readiness: { intervalMs: number; timeoutMs: number };
  };
  /** Who may use the gateway's own credentials. */
  auth: {
    mode: AuthMode;
    /** Keys accepted in `X-Api-Key` for requests served with the gateway's own client credentials. */
    apiKeys: string[];
  };
  /** ISC's limit per OAuth client, as the governor keeps to it. */
  rate: {
    /** Calls per window. */
    limit: number;
    windowMs: number;
    /** Calls to ISC running at once, per OAuth client. */
    maxConcurrency: number;
    /** Calls waiting for the governor, per OAuth client; beyond it RATE_LIMITED at once. */
    maxQueue: number;
    /** Time one operation may spend waiting out ISC 429s. */
    limitWaitMs: number;
  };
  /** What one request and one operation may ask for (see src/limits). */
  limits: {
    /** Largest `limit` a list query accepts. */
    maxListLimit: number;
    /** Fields nested, aliases, root fields and directives per operation. */
    maxDepth: number;
    maxAliases: number;
    maxRootFields: number;
    maxDirectives: number;
    /** Lexical tokens and UTF-8 bytes of one GraphQL document. */
    maxTokens: number;
    maxDocumentBytes: number;
    /** Estimated ISC calls of one operation (list fields weighted by their `limit`). */
    maxCost: number;
    /** Operations in one HTTP request; 1 turns batching off. */
    maxBatchOperations: number;
    /** Deadline of one GraphQL operation. */
    operationTimeoutMs: number;
    /** Path of a trusted documents manifest: when set, only its operations run. */
    trustedDocuments: string | undefined;
    /** Automatic persisted queries: cache size in characters of query text (0 turns APQ off), and entry lifetime (0: none). */
    apqCacheBytes: number;
    apqTtlSeconds: number;
  };
  /** Across operations: the response cache of the domains the operator chooses, and reads in flight shared. */
  cache: {
    enabled: boolean;
    /** The default TTL, for domains listed without their own. */
    ttlMs: number;
    /** Cached domains, each with its TTL (undefined: the default); undefined: the domains cached by default. */
    domains: { name: string; ttlMs: number | undefined }[] | undefined;
    /** Past its TTL an entry is still served this long while one background refresh runs. */
    staleMs: number;
    maxEntries: number;
    maxBytes: number;
    /** Identical GETs in flight at once share one ISC call. */
    coalesce: boolean;
  };
  observability: {
    logLevel: LogLevel;
    /** Human-readable log lines (pino-pretty) instead of JSON; default on under `NODE_ENV=development`. */
    logPretty: boolean;
    /** `GET /metrics` in Prometheus format. */
    metrics: boolean;
    /** `/metrics` protection: a bearer token it requires, and/or a port of its own (off the public listener). */
    metricsToken: string | undefined;
    metricsPort: number | undefined;
    /** The metrics port's listen address: loopback unless the operator says otherwise. */
    metricsHost: string;
  };
  /**
   * Scale-out: with `SAIL_REDIS_URL` the token, the rate governor and the response cache are
   * shared through Redis by every replica (see docs).
   */
  redis: {
    /** The state replicas share (token, rate ledger, pauses, write clock, sessions): a Redis that never evicts. */
    url: string | undefined;
    /** The shared response cache's entries, when they live in a Redis of their own (which may evict); undefined: in `url`'s. */
    cacheUrl: string | undefined;
    /** Prefix of every key the gateway writes. */
    keyPrefix: string;
    /** Replicas sharing the ISC client: when Redis is unreachable each keeps to `limit / replicas`. */
    replicas: number;
  };
  /** Sign-in at the gateway: browser sessions over ISC's authorization-code flow (see auth/session/). */
  session: SessionConfig;
  /** The built-in demo tenant: served only when no `SAIL_BASE_URL` is set (see `demoTenantDecision`). */
  demo: {
    enabled: boolean;
    /** Latency added to every demo tenant API answer (demos of slow upstreams, shutdown tests). */
    latencyMs: number;
  };
  /** Old names that were used for settings (each line says which new name to use): logged once at start. */
  deprecations: string[];
  /** Settings set that no longer have any effect (each line says why): logged once at start. */
  retired: string[];
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Lower case wins, as in curl; an empty value means unset. */
function proxyEnv(env: Environment, name: string): string | undefined {
  const value = env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  if (value === undefined || name.toLowerCase() === 'no_proxy') return value;
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    // The value may carry proxy credentials: never echo it.
    throw new ConfigError(`${name.toUpperCase()} must be an http:// or https:// proxy URL`);
  }
  return value;
}

export { isLoopbackHost };

export function loadConfig(raw: NodeJS.ProcessEnv = process.env): Config {
  const { env, deprecations, retired } = readEnvironment(raw);
  const upstream = upstreamConfig(env);
  const demoEnabled = demoTenantDecision(env, upstream.baseUrl);
  const playground = (env.SAIL_PLAYGROUND ?? (env.NODE_ENV === 'production' ? 'off' : 'graphiql')) as PlaygroundMode;
  if (!['graphiql', 'sandbox', 'off'].includes(playground)) {
    throw new ConfigError(`SAIL_PLAYGROUND must be graphiql, sandbox or off (got "${env.SAIL_PLAYGROUND}")`);
  }
  return {
    server: {
      port: integer(env, 'SAIL_PORT', 4000, 0, 65535),
      host: env.SAIL_HOST || '127.0.0.1',
      corsOrigins: list(env.SAIL_CORS_ORIGINS),
      maxBodyBytes: integer(env, 'SAIL_MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
      shutdownGraceMs: integer(env, 'SAIL_SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
      playground,
      introspection: flag(env, 'SAIL_INTROSPECTION', playground !== 'off'),
      frontendDir: env.SAIL_FRONTEND_DIR || undefined,
    },
    upstream,
    auth: authConfig(env, upstream.baseUrl),
    rate: {
      limit: integer(env, 'SAIL_RATE_LIMIT', 100, 1, 100_000),
      windowMs: integer(env, 'SAIL_RATE_WINDOW_MS', 10_000, 10, 3_600_000),
      maxConcurrency: integer(env, 'SAIL_RATE_MAX_CONCURRENCY', 16, 1, 1000),
      maxQueue: integer(env, 'SAIL_RATE_MAX_QUEUE', 1000, 0, 1_000_000),
      limitWaitMs: integer(env, 'SAIL_RATE_LIMIT_WAIT_MS', 15_000, 0, 600_000),
    },
    limits: limitsConfig(env),
    cache: {
      enabled: flag(env, 'SAIL_RESPONSE_CACHE', false),
      ttlMs: integer(env, 'SAIL_RESPONSE_CACHE_TTL_MS', 60_000, 1, 86_400_000),
      domains: cacheDomains(env.SAIL_RESPONSE_CACHE_DOMAINS),
      staleMs: integer(env, 'SAIL_RESPONSE_CACHE_STALE_MS', 0, 0, 86_400_000),
      maxEntries: integer(env, 'SAIL_RESPONSE_CACHE_MAX_ENTRIES', 5_000, 1, 10_000_000),
      maxBytes: integer(env, 'SAIL_RESPONSE_CACHE_MAX_BYTES', 50 * 1_048_576, 1024, 8 * 1_073_741_824),
      coalesce: flag(env, 'SAIL_COALESCE', true),
    },
    observability: observabilityConfig(env, env.SAIL_HOST || '127.0.0.1'),
    redis: {
      url: redisUrl(env, 'SAIL_REDIS_URL'),
      cacheUrl: redisCacheUrl(env),
      keyPrefix: env.SAIL_REDIS_PREFIX || 'isc-gw:',
      replicas: integer(env, 'SAIL_REPLICAS', 1, 1, 1000),
    },
    session: sessionConfig(env, upstream.baseUrl, demoEnabled),
    demo: {
      enabled: demoEnabled,
      latencyMs: integer(env, 'SAIL_DEMO_TENANT_LATENCY_MS', 0, 0, 60_000),
    },
    deprecations,
    retired,
  };
}

function upstreamConfig(env: Environment): Config['upstream'] {
  const baseUrl = env.SAIL_BASE_URL ? env.SAIL_BASE_URL.replace(/\/+$/, '') : undefined;
  const allowInsecureHttp = flag(env, 'SAIL_ALLOW_INSECURE_HTTP', false);
  if (baseUrl) checkBaseUrl(baseUrl, allowInsecureHttp);
  return {
    baseUrl,
    clientId: env.SAIL_CLIENT_ID || undefined,
    clientSecret: env.SAIL_CLIENT_SECRET || undefined,
    apiPrefix: '/' + (env.SAIL_API_PREFIX ?? '/v2024').replace(/^\/+|\/+$/g, ''),
    timeoutMs: integer(env, 'SAIL_UPSTREAM_TIMEOUT_MS', 15_000, 100, 600_000),
    tokenTimeoutMs: integer(env, 'SAIL_TOKEN_TIMEOUT_MS', 5_000, 100, 600_000),
    maxBodyBytes: integer(env, 'SAIL_MAX_UPSTREAM_BODY_BYTES', 32 * 1_048_576, 1024, 1_073_741_824),
    maxRetryAfterMs: integer(env, 'SAIL_MAX_RETRY_AFTER_MS', 30_000, 0, 3_600_000),
    allowInsecureHttp,
    proxy: { httpProxy: proxyEnv(env, 'http_proxy'), httpsProxy: proxyEnv(env, 'https_proxy'), noProxy: proxyEnv(env, 'no_proxy') },
    retryAttempts: integer(env, 'SAIL_RETRY_ATTEMPTS', 3, 1, 10),
    retryBaseDelayMs: integer(env, 'SAIL_RETRY_BASE_DELAY_MS', 200, 1, 60_000),
    breaker: {
      errorPercent: integer(env, 'SAIL_BREAKER_ERROR_PERCENT', 50, 1, 100),
      volume: integer(env, 'SAIL_BREAKER_VOLUME', 20, 1, 100_000),
      resetMs: integer(env, 'SAIL_BREAKER_RESET_MS', 5_000, 100, 600_000),
    },
    readiness: {
      intervalMs: integer(env, 'SAIL_READINESS_INTERVAL_MS', 5_000, 100, 600_000),
      timeoutMs: integer(env, 'SAIL_READINESS_TIMEOUT_MS', 2_000, 100, 60_000),
    },
  };
}

function checkBaseUrl(baseUrl: string, allowInsecureHttp: boolean): void {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ConfigError(`SAIL_BASE_URL is not a URL: "${baseUrl}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('SAIL_BASE_URL must be an http(s) URL');
  // The API paths are the gateway's to add: a path here (say `/v2024`) would be doubled and every call refused.
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    const extra =
      url.username || url.password ? 'credentials' : url.pathname !== '/' ? `the path ${url.pathname.slice(0, 100)}` : 'a query or fragment';
    throw new ConfigError(
      `SAIL_BASE_URL must be the API host only, such as https://acme.api.identitynow.com (got ${extra} after ${url.origin}): the gateway adds the API paths itself`,
    );
  }
  // The token request carries the client secret: plain http only where it cannot leave the machine.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
    throw new ConfigError(
      `SAIL_BASE_URL must be https:// (got http:// for ${url.host}); plain http is accepted only for loopback hosts, or with SAIL_ALLOW_INSECURE_HTTP=on`,
    );
  }
}

function authConfig(env: Environment, baseUrl: string | undefined): Config['auth'] {
  const mode = (env.SAIL_AUTH_MODE ?? 'auto') as AuthMode;
  if (!['auto', 'client-credentials', 'passthrough'].includes(mode)) {
    throw new ConfigError(`SAIL_AUTH_MODE must be auto, client-credentials or passthrough (got "${env.SAIL_AUTH_MODE}")`);
  }
  if (baseUrl && mode !== 'passthrough' && (!env.SAIL_CLIENT_ID || !env.SAIL_CLIENT_SECRET)) {
    throw new ConfigError('SAIL_CLIENT_ID and SAIL_CLIENT_SECRET are required with SAIL_BASE_URL unless SAIL_AUTH_MODE=passthrough');
  }
  return { mode, apiKeys: list(env.SAIL_API_KEYS) };
}

function limitsConfig(env: Environment): Config['limits'] {
  return {
    maxListLimit: integer(env, 'SAIL_MAX_LIST_LIMIT', 1000, 1, 100_000),
    // Aliases are this graph's batching (100 `sourceApp` lookups are one ISC call), so their defaults
    // are generous; ISC calls, the real expense, are bounded by the cost limit and the rate budget.
    maxDepth: integer(env, 'SAIL_MAX_DEPTH', 10, 1, 1000),
    maxAliases: integer(env, 'SAIL_MAX_ALIASES', 300, 0, 100_000),
    maxRootFields: integer(env, 'SAIL_MAX_ROOT_FIELDS', 300, 1, 100_000),
    maxDirectives: integer(env, 'SAIL_MAX_DIRECTIVES', 50, 0, 100_000),
    maxTokens: integer(env, 'SAIL_MAX_TOKENS', 5000, 100, 1_000_000),
    maxDocumentBytes: integer(env, 'SAIL_MAX_DOCUMENT_BYTES', 65_536, 1024, 64 * 1_048_576),
    maxCost: integer(env, 'SAIL_MAX_COST', 1000, 1, 10_000_000),
    maxBatchOperations: integer(env, 'SAIL_MAX_BATCH_OPERATIONS', 1, 1, 1000),
    operationTimeoutMs: integer(env, 'SAIL_OPERATION_TIMEOUT_MS', 30_000, 100, 600_000),
    trustedDocuments: env.SAIL_TRUSTED_DOCUMENTS || undefined,
    apqCacheBytes: integer(env, 'SAIL_APQ_CACHE_BYTES', 8 * 1_048_576, 0, 1024 * 1_048_576),
    apqTtlSeconds: integer(env, 'SAIL_APQ_TTL_SECONDS', 86_400, 0, 365 * 86_400),
  };
}

/**
 * Whether the built-in demo tenant serves. It answers anyone on fake data, so a deployment that
 * looks like production (`NODE_ENV=production`, or client credentials configured) without a
 * `SAIL_BASE_URL` is refused rather than silently served fake data; `SAIL_DEMO_TENANT=on` is the
 * only way to combine them.
 */
function demoTenantDecision(env: Environment, baseUrl: string | undefined): boolean {
  const explicit = env.SAIL_DEMO_TENANT === undefined || env.SAIL_DEMO_TENANT === '' ? undefined : flag(env, 'SAIL_DEMO_TENANT', false);
  if (baseUrl) {
    if (explicit) throw new ConfigError('SAIL_DEMO_TENANT=on and SAIL_BASE_URL are both set: choose the demo tenant or a real tenant');
    return false;
  }
  if (explicit === false) throw new ConfigError("SAIL_DEMO_TENANT=off but no SAIL_BASE_URL is set: set SAIL_BASE_URL to your tenant's API host");
  if (explicit) return true;
  const reasons = [env.NODE_ENV === 'production' && 'NODE_ENV=production', env.SAIL_CLIENT_ID && 'SAIL_CLIENT_ID is set'].filter(Boolean);
  if (reasons.length > 0) {
    throw new ConfigError(
      `SAIL_BASE_URL is not set but ${reasons.join(' and ')}: refusing to serve the built-in demo tenant's fake data. ` +
        "Set SAIL_BASE_URL to your tenant's API host (https://{tenant}.api.identitynow.com), or SAIL_DEMO_TENANT=on to run the demo anyway",
    );
  }
  return true;
}

/** `connectors,source-apps:30`: domains, each optionally with its TTL in seconds (names are checked against the domains at start). */
function cacheDomains(value: string | undefined): Config['cache']['domains'] {
  if (value === undefined || value.trim() === '') return undefined;
  return list(value).map((entry) => {
    const match = /^([a-z-]+)(?::(\d+))?$/.exec(entry);
    const seconds = match?.[2] === undefined ? undefined : Number(match[2]);
    if (!match || (seconds !== undefined && (seconds < 1 || seconds > 86_400))) {
      throw new ConfigError(`SAIL_RESPONSE_CACHE_DOMAINS: "${entry}" is not a domain or domain:seconds (1–86400)`);
    }
    return { name: match[1], ttlMs: seconds === undefined ? undefined : seconds * 1000 };
  });
}

function observabilityConfig(env: Environment, host: string): Config['observability'] {
  const observability = {
    logLevel: logLevel(env),
    logPretty: flag(env, 'SAIL_LOG_PRETTY', env.NODE_ENV === 'development'),
    metrics: flag(env, 'SAIL_METRICS', true),
    metricsToken: metricsToken(env),
    metricsPort: env.SAIL_METRICS_PORT ? integer(env, 'SAIL_METRICS_PORT', 0, 0, 65535) : undefined,
    metricsHost: env.SAIL_METRICS_HOST || '127.0.0.1',
  };
  if (env.NODE_ENV === 'production' && metricsOpenToAnyone(observability, host)) {
    throw new ConfigError(
      `/metrics would answer anyone who reaches SAIL_HOST=${host} (NODE_ENV=production): set SAIL_METRICS_TOKEN (scrapers send it as a bearer token), ` +
        'or SAIL_METRICS_PORT (a listener of its own, on loopback unless SAIL_METRICS_HOST says otherwise), or SAIL_METRICS=off',
    );
  }
  return observability;
}

/** `/metrics` served on the public listener, on an address others can reach, without a token. */
export function metricsOpenToAnyone(observability: Pick<Config['observability'], 'metrics' | 'metricsToken' | 'metricsPort'>, host: string): boolean {
  return observability.metrics && observability.metricsToken === undefined && observability.metricsPort === undefined && !isLoopbackHost(host);
}

function metricsToken(env: Environment): string | undefined {
  const value = env.SAIL_METRICS_TOKEN || undefined;
  if (value !== undefined && (value.length < 16 || /\s/.test(value))) {
    throw new ConfigError('SAIL_METRICS_TOKEN must be at least 16 characters without spaces');
  }
  return value;
}

function logLevel(env: Environment): LogLevel {
  if (env.SAIL_LOG_LEVEL && !parseLogLevel(env.SAIL_LOG_LEVEL)) {
    throw new ConfigError(`SAIL_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.SAIL_LOG_LEVEL}")`);
  }
  return defaultLogLevel(env);
}

function redisUrl(env: Environment, name: 'SAIL_REDIS_URL' | 'SAIL_REDIS_CACHE_URL'): string | undefined {
  const value = env[name] || undefined;
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error();
  } catch {
    // The URL may carry a password: never echo it.
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL`);
  }
  return value;
}

function redisCacheUrl(env: Environment): string | undefined {
  const value = redisUrl(env, 'SAIL_REDIS_CACHE_URL');
  if (value && !env.SAIL_REDIS_URL) {
    throw new ConfigError(
      'SAIL_REDIS_CACHE_URL needs SAIL_REDIS_URL: the cache Redis holds answers only, the state replicas share lives in SAIL_REDIS_URL',
    );
  }
  return value;
}
