/**
 * Gateway configuration, read once from the environment and validated at start: one file per
 * section, every default in defaults.ts, setting names and parsers in parse.ts. This folder is on
 * the ground floor: it imports only the logger (src/log/) and itself.
 */
import { authConfig, sessionConfig, type AuthConfig, type SessionConfig } from './auth-and-sessions.js';
import { cacheConfig, type CacheConfig } from './cache.js';
import { demoConfig, demoTenantDecision, type DemoConfig } from './demo.js';
import { limitsConfig, type LimitsConfig } from './limits.js';
import { observabilityConfig, type ObservabilityConfig } from './observability.js';
import { readEnvironment } from './parse.js';
import { rateConfig, type RateConfig } from './rate.js';
import { redisConfig, type RedisConfig } from './redis.js';
import { playgroundMode, serverConfig, serverHost, type ServerConfig } from './server.js';
import { upstreamConfig, type UpstreamConfig } from './upstream.js';

export { ConfigError, RENAMED_SETTINGS, isLoopbackHost } from './parse.js';
export { metricsOpenToAnyone } from './observability.js';
export { DEFAULTS } from './defaults.js';
export type { AuthMode, SessionConfig } from './auth-and-sessions.js';
export type { PlaygroundMode } from './server.js';
export type { ProxySettings } from './upstream.js';

export interface Config {
  /** The HTTP server. */
  server: ServerConfig;
  /** The ISC tenant and how it is called. */
  upstream: UpstreamConfig;
  /** Who may use the gateway's own credentials. */
  auth: AuthConfig;
  /** ISC's limit per OAuth client, as the governor keeps to it. */
  rate: RateConfig;
  /** What one request and one operation may ask for (see src/limits). */
  limits: LimitsConfig;
  /** Across operations: the response cache of the domains the operator chooses, and reads in flight shared. */
  cache: CacheConfig;
  observability: ObservabilityConfig;
  /** Scale-out: the Redis replicas share (see docs/scale-out.md). */
  redis: RedisConfig;
  /** Sign-in at the gateway: browser sessions over ISC's authorization-code flow (see auth/session/). */
  session: SessionConfig;
  /** The built-in demo tenant: served only when no `SAIL_BASE_URL` is set (see `demoTenantDecision`). */
  demo: DemoConfig;
  /** Old names that were used for settings (each line says which new name to use): logged once at start. */
  deprecations: string[];
  /** Settings set that no longer have any effect (each line says why): logged once at start. */
  retired: string[];
}

export function loadConfig(raw: NodeJS.ProcessEnv = process.env): Config {
  const { env, deprecations, retired } = readEnvironment(raw);
  const upstream = upstreamConfig(env);
  const demoEnabled = demoTenantDecision(env, upstream.baseUrl);
  const playground = playgroundMode(env);
  return {
    server: serverConfig(env, playground),
    upstream,
    auth: authConfig(env, upstream.baseUrl),
    rate: rateConfig(env),
    limits: limitsConfig(env),
    cache: cacheConfig(env),
    observability: observabilityConfig(env, serverHost(env)),
    redis: redisConfig(env),
    session: sessionConfig(env, upstream.baseUrl, demoEnabled),
    demo: demoConfig(env, demoEnabled),
    deprecations,
    retired,
  };
}
