/** Gateway configuration, read once from the environment and validated at start. */
import type { ProxySettings } from './isc/agents.js';
import { LOG_LEVELS, defaultLogLevel, parseLogLevel, type LogLevel } from './observability/log/logger.js';

export type AuthMode = 'auto' | 'client-credentials' | 'passthrough';
export type PlaygroundMode = 'graphiql' | 'sandbox' | 'off';

export interface Config {
  port: number;
  host: string;
  /** ISC tenant API host, e.g. `https://acme.api.identitynow.com`; undefined → built-in demo tenant. */
  baseUrl: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** Version prefix of the REST API. */
  apiPrefix: string;
  authMode: AuthMode;
  /** Keys accepted in `X-Api-Key` for requests served with the gateway's own client credentials. */
  apiKeys: string[];
  corsOrigins: string[];
  /** Largest `limit` a list query accepts. */
  maxListLimit: number;
  /** Timeout of one upstream call. */
  upstreamTimeoutMs: number;
  /** Largest request body the HTTP server reads. */
  maxBodyBytes: number;
  /** Query limits (see src/limits/limits.ts): fields nested, aliases, root fields and directives per operation. */
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
  /** Path of a trusted documents manifest: when set, only its operations run. */
  trustedDocuments: string | undefined;
  /** Automatic persisted queries: cache size in characters of query text (0 turns APQ off), and entry lifetime (0: none). */
  apqCacheBytes: number;
  apqTtlSeconds: number;
  /** The IDE served at `GET /graphql` to browsers. */
  playground: PlaygroundMode;
  /** Whether the schema can be introspected; follows the playground unless set. */
  introspection: boolean;
  /** ISC's limit per OAuth client: calls per window. */
  rateLimit: number;
  rateWindowMs: number;
  /** Calls to ISC running at once, per OAuth client. */
  rateMaxConcurrency: number;
  /** Calls waiting for the governor, per OAuth client; beyond it RATE_LIMITED at once. */
  rateMaxQueue: number;
  /** Time one operation may spend waiting out ISC 429s. */
  rateLimitWaitMs: number;
  /** Attempts per idempotent ISC call on 502/503/504, resets and timeouts (first included). */
  retryAttempts: number;
  retryBaseDelayMs: number;
  /** Deadline of one GraphQL operation. */
  operationTimeoutMs: number;
  /** Circuit breaker: opens when this percentage of calls in the rolling window failed… */
  breakerErrorPercent: number;
  /** …and at least this many calls were made in it. */
  breakerVolume: number;
  /** How long it stays open before one trial call. */
  breakerResetMs: number;
  /** Cross-request cache of reference data (connectors, their files, customizers). */
  responseCache: { enabled: boolean; ttlMs: number; maxEntries: number; maxBytes: number };
  /** Outbound proxy for ISC calls and the token request (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`, or lower case). */
  proxy: ProxySettings;
  /** On SIGTERM: how long in-flight requests may take to finish before they are cut. */
  shutdownGraceMs: number;
  logLevel: LogLevel;
  /** Human-readable log lines (pino-pretty) instead of JSON: `LOG_PRETTY`, default on under `NODE_ENV=development`. */
  logPretty: boolean;
  /** `GET /metrics` in Prometheus format (`METRICS`, default on). */
  metrics: boolean;
  /**
   * Scale-out: with `SAIL_REDIS_URL` the token, the rate governor and the response cache are
   * shared through Redis by every replica (see README "Scale-out").
   */
  redis: {
    url: string | undefined;
    /** Prefix of every key the gateway writes (`SAIL_REDIS_PREFIX`). */
    keyPrefix: string;
    /** Replicas sharing the ISC client: when Redis is unreachable each keeps to `rateLimit / replicas`. */
    replicas: number;
  };
  /** Latency added to every demo tenant API answer (demos of slow upstreams, shutdown tests). */
  demoTenantLatencyMs: number;
  /** Serve the built-in demo tenant: only when no `SAIL_BASE_URL` is set (see `demoTenantDecision`). */
  demoTenant: boolean;
  /** Largest ISC answer read, counted after decompression (`SAIL_MAX_UPSTREAM_BODY_BYTES`). */
  maxUpstreamBodyBytes: number;
  /** Longest pause one ISC `Retry-After` may impose (`SAIL_MAX_RETRY_AFTER_MS`). */
  maxRetryAfterMs: number;
  /** `http://` accepted for a non-loopback `SAIL_BASE_URL` (`SAIL_ALLOW_INSECURE_HTTP`). */
  allowInsecureHttp: boolean;
  /** `/readyz`: how long one probe's result is reused, and the probe's own deadline. */
  readiness: { intervalMs: number; timeoutMs: number };
  /** `/metrics` protection: a bearer token it requires, and/or a port of its own (off the public listener). */
  metricsToken: string | undefined;
  metricsPort: number | undefined;
}

export class ConfigError extends Error {}

function list(value: string | undefined): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off (got "${raw}")`);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

/** Lower case wins, as in curl; an empty value means unset. */
function proxyEnv(env: NodeJS.ProcessEnv, name: string): string | undefined {
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

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const authMode = (env.SAIL_AUTH_MODE ?? 'auto') as AuthMode;
  if (!['auto', 'client-credentials', 'passthrough'].includes(authMode)) {
    throw new ConfigError(`SAIL_AUTH_MODE must be auto, client-credentials or passthrough (got "${env.SAIL_AUTH_MODE}")`);
  }
  const baseUrl = env.SAIL_BASE_URL ? env.SAIL_BASE_URL.replace(/\/+$/, '') : undefined;
  const allowInsecureHttp = flag(env, 'SAIL_ALLOW_INSECURE_HTTP', false);
  if (baseUrl) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new ConfigError(`SAIL_BASE_URL is not a URL: "${baseUrl}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError('SAIL_BASE_URL must be an http(s) URL');
    // The token request carries the client secret: plain http only where it cannot leave the machine.
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !allowInsecureHttp) {
      throw new ConfigError(
        `SAIL_BASE_URL must be https:// (got http:// for ${url.host}); plain http is accepted only for loopback hosts, or with SAIL_ALLOW_INSECURE_HTTP=on`,
      );
    }
    if (authMode !== 'passthrough' && (!env.SAIL_CLIENT_ID || !env.SAIL_CLIENT_SECRET)) {
      throw new ConfigError('SAIL_CLIENT_ID and SAIL_CLIENT_SECRET are required with SAIL_BASE_URL unless SAIL_AUTH_MODE=passthrough');
    }
  }
  const demoTenant = demoTenantDecision(env, baseUrl);
  const playground = (env.SAIL_PLAYGROUND ?? (env.NODE_ENV === 'production' ? 'off' : 'graphiql')) as PlaygroundMode;
  if (!['graphiql', 'sandbox', 'off'].includes(playground)) {
    throw new ConfigError(`SAIL_PLAYGROUND must be graphiql, sandbox or off (got "${env.SAIL_PLAYGROUND}")`);
  }
  const introspection = env.SAIL_INTROSPECTION ? env.SAIL_INTROSPECTION === 'true' : playground !== 'off';
  if (env.SAIL_INTROSPECTION && !['true', 'false'].includes(env.SAIL_INTROSPECTION)) {
    throw new ConfigError(`SAIL_INTROSPECTION must be true or false (got "${env.SAIL_INTROSPECTION}")`);
  }
  const apiPrefix = '/' + (env.SAIL_API_PREFIX ?? '/v2024').replace(/^\/+|\/+$/g, '');
  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: env.HOST || '127.0.0.1',
    baseUrl,
    clientId: env.SAIL_CLIENT_ID || undefined,
    clientSecret: env.SAIL_CLIENT_SECRET || undefined,
    apiPrefix,
    authMode,
    apiKeys: list(env.GATEWAY_API_KEYS),
    corsOrigins: list(env.CORS_ORIGINS),
    maxListLimit: integer(env, 'MAX_LIST_LIMIT', 1000, 1, 100_000),
    upstreamTimeoutMs: integer(env, 'UPSTREAM_TIMEOUT_MS', 15_000, 100, 600_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    // Aliases are this graph's batching (100 `sourceApp` lookups are one ISC call), so their defaults
    // are generous; ISC calls, the real expense, are bounded by MAX_COST and the rate budget.
    maxDepth: integer(env, 'MAX_DEPTH', 10, 1, 1000),
    maxAliases: integer(env, 'MAX_ALIASES', 300, 0, 100_000),
    maxRootFields: integer(env, 'MAX_ROOT_FIELDS', 300, 1, 100_000),
    maxDirectives: integer(env, 'MAX_DIRECTIVES', 50, 0, 100_000),
    maxTokens: integer(env, 'MAX_TOKENS', 5000, 100, 1_000_000),
    maxDocumentBytes: integer(env, 'MAX_DOCUMENT_BYTES', 65_536, 1024, 64 * 1_048_576),
    maxCost: integer(env, 'MAX_COST', 1000, 1, 10_000_000),
    maxBatchOperations: integer(env, 'MAX_BATCH_OPERATIONS', 1, 1, 1000),
    trustedDocuments: env.SAIL_TRUSTED_DOCUMENTS || undefined,
    apqCacheBytes: integer(env, 'APQ_CACHE_BYTES', 8 * 1_048_576, 0, 1024 * 1_048_576),
    apqTtlSeconds: integer(env, 'APQ_TTL_SECONDS', 86_400, 0, 365 * 86_400),
    playground,
    introspection,
    rateLimit: integer(env, 'RATE_LIMIT', 100, 1, 100_000),
    rateWindowMs: integer(env, 'RATE_WINDOW_MS', 10_000, 10, 3_600_000),
    rateMaxConcurrency: integer(env, 'RATE_MAX_CONCURRENCY', 16, 1, 1000),
    rateMaxQueue: integer(env, 'RATE_MAX_QUEUE', 1000, 0, 1_000_000),
    rateLimitWaitMs: integer(env, 'RATE_LIMIT_WAIT_MS', 15_000, 0, 600_000),
    retryAttempts: integer(env, 'RETRY_ATTEMPTS', 3, 1, 10),
    retryBaseDelayMs: integer(env, 'RETRY_BASE_DELAY_MS', 200, 1, 60_000),
    operationTimeoutMs: integer(env, 'OPERATION_TIMEOUT_MS', 30_000, 100, 600_000),
    breakerErrorPercent: integer(env, 'BREAKER_ERROR_PERCENT', 50, 1, 100),
    breakerVolume: integer(env, 'BREAKER_VOLUME', 20, 1, 100_000),
    breakerResetMs: integer(env, 'BREAKER_RESET_MS', 5_000, 100, 600_000),
    responseCache: {
      enabled: flag(env, 'RESPONSE_CACHE', false),
      ttlMs: integer(env, 'RESPONSE_CACHE_TTL_MS', 60_000, 1, 86_400_000),
      maxEntries: integer(env, 'RESPONSE_CACHE_MAX_ENTRIES', 5_000, 1, 10_000_000),
      maxBytes: integer(env, 'RESPONSE_CACHE_MAX_BYTES', 50 * 1_048_576, 1024, 8 * 1_073_741_824),
    },
    proxy: { httpProxy: proxyEnv(env, 'http_proxy'), httpsProxy: proxyEnv(env, 'https_proxy'), noProxy: proxyEnv(env, 'no_proxy') },
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    logLevel: logLevel(env),
    logPretty: flag(env, 'LOG_PRETTY', env.NODE_ENV === 'development'),
    metrics: flag(env, 'METRICS', true),
    redis: {
      url: redisUrl(env),
      keyPrefix: env.SAIL_REDIS_PREFIX || 'isc-gw:',
      replicas: integer(env, 'SAIL_REPLICAS', 1, 1, 1000),
    },
    demoTenantLatencyMs: integer(env, 'DEMO_TENANT_LATENCY_MS', 0, 0, 60_000),
    demoTenant,
    maxUpstreamBodyBytes: integer(env, 'SAIL_MAX_UPSTREAM_BODY_BYTES', 32 * 1_048_576, 1024, 1_073_741_824),
    maxRetryAfterMs: integer(env, 'SAIL_MAX_RETRY_AFTER_MS', 30_000, 0, 3_600_000),
    allowInsecureHttp,
    readiness: {
      intervalMs: integer(env, 'SAIL_READINESS_INTERVAL_MS', 5_000, 100, 600_000),
      timeoutMs: integer(env, 'SAIL_READINESS_TIMEOUT_MS', 2_000, 100, 60_000),
    },
    metricsToken: metricsToken(env),
    metricsPort: env.SAIL_METRICS_PORT ? integer(env, 'SAIL_METRICS_PORT', 0, 0, 65535) : undefined,
  };
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Whether the built-in demo tenant serves. It answers anyone on fake data, so a deployment that
 * looks like production (`NODE_ENV=production`, or client credentials configured) without a
 * `SAIL_BASE_URL` is refused rather than silently served fake data; `SAIL_DEMO_TENANT=on` is the
 * only way to combine them.
 */
function demoTenantDecision(env: NodeJS.ProcessEnv, baseUrl: string | undefined): boolean {
  const explicit = env.SAIL_DEMO_TENANT === undefined || env.SAIL_DEMO_TENANT === '' ? undefined : flag(env, 'SAIL_DEMO_TENANT', false);
  if (baseUrl) {
    if (explicit) throw new ConfigError('SAIL_DEMO_TENANT=on and SAIL_BASE_URL are both set: choose the demo tenant or a real tenant');
    return false;
  }
  if (explicit === false) throw new ConfigError('SAIL_DEMO_TENANT=off but no SAIL_BASE_URL is set: set SAIL_BASE_URL to your tenant\'s API host');
  if (explicit) return true;
  const reasons = [env.NODE_ENV === 'production' && 'NODE_ENV=production', env.SAIL_CLIENT_ID && 'SAIL_CLIENT_ID is set'].filter(Boolean);
  if (reasons.length > 0) {
    throw new ConfigError(
      `SAIL_BASE_URL is not set but ${reasons.join(' and ')}: refusing to serve the built-in demo tenant's fake data. ` +
        'Set SAIL_BASE_URL to your tenant\'s API host (https://{tenant}.api.identitynow.com), or SAIL_DEMO_TENANT=on to run the demo anyway',
    );
  }
  return true;
}

function metricsToken(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.SAIL_METRICS_TOKEN || undefined;
  if (value !== undefined && (value.length < 16 || /\s/.test(value))) {
    throw new ConfigError('SAIL_METRICS_TOKEN must be at least 16 characters without spaces');
  }
  return value;
}

function logLevel(env: NodeJS.ProcessEnv): LogLevel {
  if (env.LOG_LEVEL && !parseLogLevel(env.LOG_LEVEL)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${env.LOG_LEVEL}")`);
  }
  return defaultLogLevel(env);
}

function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.SAIL_REDIS_URL || undefined;
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new Error();
  } catch {
    // The URL may carry a password: never echo it.
    throw new ConfigError('SAIL_REDIS_URL must be a redis:// or rediss:// URL');
  }
  return value;
}
