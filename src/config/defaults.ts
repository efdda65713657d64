/**
 * Every default of the gateway's configuration, written once. The sections (server.ts,
 * upstream.ts…) fall back to these when a setting is unset, and code that runs without a
 * configuration (the ISC client built by a script or a test, the standalone demo tenant) falls back
 * to the same values. Defaults that depend on other settings (the playground on `NODE_ENV`,
 * introspection on the playground, sign-in on the demo tenant…) are decided in their section.
 *
 * A few entries have no setting: they are named here so that no one writes the number again.
 */
const MiB = 1_048_576;

export const DEFAULTS = {
  server: {
    port: 4000,
    host: '127.0.0.1',
    maxBodyBytes: MiB,
    shutdownGraceMs: 10_000,
    trustedProxyHops: 0,
  },
  upstream: {
    apiPaths: 'per-resource',
    /** With `SAIL_API_PATHS=v2024` only. */
    apiPrefix: '/v2024',
    timeoutMs: 15_000,
    tokenTimeoutMs: 5_000,
    maxBodyBytes: 32 * MiB,
    maxRetryAfterMs: 1_200_000,
    allowInsecureHttp: false,
    retryAttempts: 3,
    retryBaseDelayMs: 200,
    /** Longest backoff between two attempts (no setting). */
    retryMaxDelayMs: 5_000,
    breaker: {
      errorPercent: 50,
      volume: 20,
      resetMs: 5_000,
      /** The window the error percentage is measured over (no setting). */
      rollingWindowMs: 10_000,
    },
    readiness: { intervalMs: 5_000, timeoutMs: 2_000 },
  },
  auth: { mode: 'auto' },
  /** ISC's documented limit: 100 calls per 10 s per OAuth client. */
  rate: {
    limit: 100,
    windowMs: 10_000,
    maxConcurrency: 16,
    maxQueue: 1000,
    limitWaitMs: 15_000,
    unverifiedLimit: 10,
    unverifiedMaxConcurrency: 2,
  },
  limits: {
    maxListLimit: 1000,
    maxDepth: 10,
    maxAliases: 300,
    maxRootFields: 300,
    maxDirectives: 50,
    maxTokens: 5000,
    maxDocumentBytes: 65_536,
    maxCost: 1000,
    maxBatchOperations: 1,
    operationTimeoutMs: 30_000,
    apqCacheBytes: 8 * MiB,
    apqTtlSeconds: 86_400,
  },
  cache: {
    enabled: false,
    ttlMs: 60_000,
    staleMs: 0,
    staleIfLimitedMs: 300_000,
    maxEntries: 5_000,
    maxBytes: 50 * MiB,
    coalesce: true,
  },
  observability: {
    metrics: true,
    metricsHost: '127.0.0.1',
  },
  redis: {
    keyPrefix: 'isc-gw:',
    replicas: 1,
    commandTimeoutMs: 500,
  },
  session: {
    idleTimeoutSeconds: 1800,
    maxAgeSeconds: 43_200,
    maxSessions: 10_000,
    /** How long a sign-in may take from /auth/login to /auth/callback (no setting). */
    loginTimeoutMs: 10 * 60_000,
  },
  demo: {
    latencyMs: 0,
  },
} as const;
