import { DEFAULTS } from './defaults.js';
import { ConfigError, commaList, flagSetting as flag, integerSetting as integer, type Environment } from './parse.js';

export type PlaygroundMode = 'graphiql' | 'sandbox' | 'off';

/** The HTTP server. */
export interface ServerConfig {
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
  /** Reverse proxies in front that append the address they saw to `X-Forwarded-For` (0: the socket's address is the client's). */
  trustedProxyHops: number;
}

/** `SAIL_PLAYGROUND`: off by default under `NODE_ENV=production`. */
export function playgroundMode(env: Environment): PlaygroundMode {
  const playground = (env.SAIL_PLAYGROUND ?? (env.NODE_ENV === 'production' ? 'off' : 'graphiql')) as PlaygroundMode;
  if (!['graphiql', 'sandbox', 'off'].includes(playground)) {
    throw new ConfigError(`SAIL_PLAYGROUND must be graphiql, sandbox or off (got "${env.SAIL_PLAYGROUND}")`);
  }
  return playground;
}

/** The listen address: loopback unless the operator says otherwise. */
export const serverHost = (env: Environment): string => env.SAIL_HOST || DEFAULTS.server.host;

export function serverConfig(env: Environment, playground: PlaygroundMode): ServerConfig {
  const defaults = DEFAULTS.server;
  return {
    port: integer(env, 'SAIL_PORT', defaults.port, 0, 65535),
    host: serverHost(env),
    corsOrigins: commaList(env.SAIL_CORS_ORIGINS),
    maxBodyBytes: integer(env, 'SAIL_MAX_BODY_BYTES', defaults.maxBodyBytes, 1024, 64 * 1_048_576),
    shutdownGraceMs: integer(env, 'SAIL_SHUTDOWN_GRACE_MS', defaults.shutdownGraceMs, 0, 600_000),
    playground,
    introspection: flag(env, 'SAIL_INTROSPECTION', playground !== 'off'),
    frontendDir: env.SAIL_FRONTEND_DIR || undefined,
    trustedProxyHops: integer(env, 'SAIL_TRUSTED_PROXY_HOPS', defaults.trustedProxyHops, 0, 10),
  };
}
