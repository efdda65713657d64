import { DEFAULTS } from './defaults.js';
import { ConfigError, flagSetting as flag, integerSetting as integer, isLoopbackHost, type Environment } from './parse.js';

/**
 * The outbound proxy for ISC calls and the token request (src/isc/agents.ts applies it). No
 * setting names a CA: TLS verification uses Node's root store plus `NODE_EXTRA_CA_CERTS`.
 */
export interface ProxySettings {
  /** Proxy for `http:` targets (`HTTP_PROXY` / `http_proxy`). */
  httpProxy?: string;
  /** Proxy for `https:` targets (`HTTPS_PROXY` / `https_proxy`). */
  httpsProxy?: string;
  /** Hosts reached directly (`NO_PROXY` / `no_proxy`), comma or space separated. */
  noProxy?: string;
}

/** ISC's two path layouts: SailPoint's per-resource versions (its docs since June 2026), or the frozen year-versioned paths. */
export const API_PATH_LAYOUTS = ['per-resource', 'v2024'] as const;
export type ApiPathLayout = (typeof API_PATH_LAYOUTS)[number];

/** The ISC tenant and how it is called. */
export interface UpstreamConfig {
  /** ISC tenant API host, e.g. `https://acme.api.identitynow.com`; undefined → built-in demo tenant. */
  baseUrl: string | undefined;
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** ISC's path layout (src/isc/api-paths.ts): per-resource versions (`/connectors/v1`) or the year-versioned one. */
  apiPaths: ApiPathLayout;
  /** Version prefix of the year-versioned layout (`/v2024`): used only with `apiPaths: 'v2024'`. */
  apiPrefix: string;
  /** Timeout of one upstream call. */
  timeoutMs: number;
  /** Timeout of the token request: shorter, so a token endpoint that never answers is reported early. */
  tokenTimeoutMs: number;
  /** Largest ISC answer read, counted after decompression. */
  maxBodyBytes: number;
  /** Longest pause one ISC `Retry-After` may impose: obeyed in full up to this (ISC's backoff climbs if called sooner). */
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

export function upstreamConfig(env: Environment): UpstreamConfig {
  const defaults = DEFAULTS.upstream;
  const baseUrl = env.SAIL_BASE_URL ? env.SAIL_BASE_URL.replace(/\/+$/, '') : undefined;
  const allowInsecureHttp = flag(env, 'SAIL_ALLOW_INSECURE_HTTP', defaults.allowInsecureHttp);
  if (baseUrl) checkBaseUrl(baseUrl, allowInsecureHttp);
  return {
    baseUrl,
    clientId: env.SAIL_CLIENT_ID || undefined,
    clientSecret: env.SAIL_CLIENT_SECRET || undefined,
    ...apiPathSettings(env),
    timeoutMs: integer(env, 'SAIL_UPSTREAM_TIMEOUT_MS', defaults.timeoutMs, 100, 600_000),
    tokenTimeoutMs: integer(env, 'SAIL_TOKEN_TIMEOUT_MS', defaults.tokenTimeoutMs, 100, 600_000),
    maxBodyBytes: integer(env, 'SAIL_MAX_UPSTREAM_BODY_BYTES', defaults.maxBodyBytes, 1024, 1_073_741_824),
    maxRetryAfterMs: integer(env, 'SAIL_MAX_RETRY_AFTER_MS', defaults.maxRetryAfterMs, 0, 3_600_000),
    allowInsecureHttp,
    proxy: { httpProxy: proxyEnv(env, 'http_proxy'), httpsProxy: proxyEnv(env, 'https_proxy'), noProxy: proxyEnv(env, 'no_proxy') },
    retryAttempts: integer(env, 'SAIL_RETRY_ATTEMPTS', defaults.retryAttempts, 1, 10),
    retryBaseDelayMs: integer(env, 'SAIL_RETRY_BASE_DELAY_MS', defaults.retryBaseDelayMs, 1, 60_000),
    breaker: {
      errorPercent: integer(env, 'SAIL_BREAKER_ERROR_PERCENT', defaults.breaker.errorPercent, 1, 100),
      volume: integer(env, 'SAIL_BREAKER_VOLUME', defaults.breaker.volume, 1, 100_000),
      resetMs: integer(env, 'SAIL_BREAKER_RESET_MS', defaults.breaker.resetMs, 100, 600_000),
    },
    readiness: {
      intervalMs: integer(env, 'SAIL_READINESS_INTERVAL_MS', defaults.readiness.intervalMs, 100, 600_000),
      timeoutMs: integer(env, 'SAIL_READINESS_TIMEOUT_MS', defaults.readiness.timeoutMs, 100, 60_000),
    },
  };
}

/** The layout, and the prefix only where it means something: an operator's prefix is never silently ignored. */
function apiPathSettings(env: Environment): Pick<UpstreamConfig, 'apiPaths' | 'apiPrefix'> {
  const defaults = DEFAULTS.upstream;
  const apiPaths = (env.SAIL_API_PATHS || defaults.apiPaths) as ApiPathLayout;
  if (!API_PATH_LAYOUTS.includes(apiPaths)) {
    throw new ConfigError(`SAIL_API_PATHS must be ${API_PATH_LAYOUTS.join(' or ')} (got "${apiPaths.slice(0, 40)}")`);
  }
  if (env.SAIL_API_PREFIX && apiPaths !== 'v2024') {
    throw new ConfigError(
      `SAIL_API_PREFIX applies only to the year-versioned paths: set SAIL_API_PATHS=v2024 to call ${env.SAIL_API_PREFIX.slice(0, 40)}/…, or unset SAIL_API_PREFIX to use ISC's per-resource paths (/connectors/v1/…)`,
    );
  }
  // `/` means no prefix at all (a mock or proxy serving the year-versioned paths at the root): `''`, never `/`, or every path would start with `//`.
  const segments = (env.SAIL_API_PREFIX || defaults.apiPrefix).replace(/^\/+|\/+$/g, '');
  return { apiPaths, apiPrefix: segments && `/${segments}` };
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
