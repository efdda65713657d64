/**
 * Environment variable names. SailPoint's own (`SAIL_BASE_URL`, `SAIL_CLIENT_ID`,
 * `SAIL_CLIENT_SECRET`) and standard ones (`OTEL_*`, proxies, `NODE_*`) keep their names; every
 * other setting has the `SAIL_` prefix. Earlier releases used other names for some: they still
 * work, and each one in use earns a line in one deprecation warning at start.
 */

/** New name → the earlier name it replaces. */
export const RENAMED_SETTINGS: Readonly<Record<string, string>> = {
  SAIL_HOST: 'HOST',
  SAIL_API_KEYS: 'GATEWAY_API_KEYS',
  SAIL_CORS_ORIGINS: 'CORS_ORIGINS',
  SAIL_MAX_LIST_LIMIT: 'MAX_LIST_LIMIT',
  SAIL_UPSTREAM_TIMEOUT_MS: 'UPSTREAM_TIMEOUT_MS',
  SAIL_MAX_BODY_BYTES: 'MAX_BODY_BYTES',
  SAIL_MAX_DEPTH: 'MAX_DEPTH',
  SAIL_MAX_ALIASES: 'MAX_ALIASES',
  SAIL_MAX_ROOT_FIELDS: 'MAX_ROOT_FIELDS',
  SAIL_MAX_DIRECTIVES: 'MAX_DIRECTIVES',
  SAIL_MAX_TOKENS: 'MAX_TOKENS',
  SAIL_MAX_DOCUMENT_BYTES: 'MAX_DOCUMENT_BYTES',
  SAIL_MAX_COST: 'MAX_COST',
  SAIL_MAX_BATCH_OPERATIONS: 'MAX_BATCH_OPERATIONS',
  SAIL_APQ_CACHE_BYTES: 'APQ_CACHE_BYTES',
  SAIL_APQ_TTL_SECONDS: 'APQ_TTL_SECONDS',
  SAIL_RATE_LIMIT: 'RATE_LIMIT',
  SAIL_RATE_WINDOW_MS: 'RATE_WINDOW_MS',
  SAIL_RATE_MAX_CONCURRENCY: 'RATE_MAX_CONCURRENCY',
  SAIL_RATE_MAX_QUEUE: 'RATE_MAX_QUEUE',
  SAIL_RATE_LIMIT_WAIT_MS: 'RATE_LIMIT_WAIT_MS',
  SAIL_RETRY_ATTEMPTS: 'RETRY_ATTEMPTS',
  SAIL_RETRY_BASE_DELAY_MS: 'RETRY_BASE_DELAY_MS',
  SAIL_OPERATION_TIMEOUT_MS: 'OPERATION_TIMEOUT_MS',
  SAIL_BREAKER_ERROR_PERCENT: 'BREAKER_ERROR_PERCENT',
  SAIL_BREAKER_VOLUME: 'BREAKER_VOLUME',
  SAIL_BREAKER_RESET_MS: 'BREAKER_RESET_MS',
  SAIL_RESPONSE_CACHE: 'RESPONSE_CACHE',
  SAIL_RESPONSE_CACHE_TTL_MS: 'RESPONSE_CACHE_TTL_MS',
  SAIL_RESPONSE_CACHE_MAX_ENTRIES: 'RESPONSE_CACHE_MAX_ENTRIES',
  SAIL_RESPONSE_CACHE_MAX_BYTES: 'RESPONSE_CACHE_MAX_BYTES',
  SAIL_SHUTDOWN_GRACE_MS: 'SHUTDOWN_GRACE_MS',
  SAIL_LOG_LEVEL: 'LOG_LEVEL',
  SAIL_LOG_PRETTY: 'LOG_PRETTY',
  SAIL_METRICS: 'METRICS',
  SAIL_DEMO_TENANT_LATENCY_MS: 'DEMO_TENANT_LATENCY_MS',
  SAIL_DEMO_TENANT_PORT: 'DEMO_TENANT_PORT',
  SAIL_DEMO_TENANT_TOKEN_LIFETIME_S: 'DEMO_TENANT_TOKEN_LIFETIME_S',
  SAIL_DEMO_TENANT_RATE_LIMIT: 'DEMO_TENANT_RATE_LIMIT',
  SAIL_DEMO_TENANT_RATE_WINDOW_MS: 'DEMO_TENANT_RATE_WINDOW_MS',
};

/**
 * Settings that no longer have any effect → why, for the one warning at start that lists those set.
 * Setting one never stops the gateway: it is ignored.
 */
export const RETIRED_SETTINGS: Readonly<Record<string, string>> = {
  SAIL_LOGIN_MAX_PENDING: 'sign-ins in progress travel sealed in their login cookie; the gateway keeps none to bound',
};

/**
 * Names read under another name without a warning: platforms set `PORT` for the process they
 * start, so it stays a fallback of `SAIL_PORT`.
 */
const PLATFORM_FALLBACKS: Readonly<Record<string, string>> = { SAIL_PORT: 'PORT' };

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The environment with every setting under its current name (the new name wins when both are set),
 * a line per earlier name in use, and a line per retired setting that is set.
 */
export function readEnvironment(raw: NodeJS.ProcessEnv): { env: Environment; deprecations: string[]; retired: string[] } {
  const env: Record<string, string | undefined> = { ...raw };
  const deprecations: string[] = [];
  const retired = Object.entries(RETIRED_SETTINGS)
    .filter(([name]) => raw[name] !== undefined)
    .map(([name, why]) => `${name}: ${why}`);
  for (const [current, earlier] of Object.entries(RENAMED_SETTINGS)) {
    if (raw[earlier] === undefined) continue;
    deprecations.push(`${earlier} is now ${current}`);
    if (raw[current] === undefined) env[current] = raw[earlier];
  }
  for (const [current, fallback] of Object.entries(PLATFORM_FALLBACKS)) if (raw[current] === undefined) env[current] = raw[fallback];
  return { env, deprecations, retired };
}

export class ConfigError extends Error {}

/** An integer setting within `min`..`max`; unset or empty is `fallback`. */
export function integerSetting(env: Environment, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max} (got "${raw}")`);
  }
  return value;
}

/** An on/off setting (`on`, `true`, `1` / `off`, `false`, `0`); unset or empty is `fallback`. */
export function flagSetting(env: Environment, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['on', 'true', '1'].includes(raw)) return true;
  if (['off', 'false', '0'].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off (got "${raw}")`);
}

/** `a, b,,c` → `['a', 'b', 'c']`: a comma-separated setting, entries trimmed, empty ones dropped. */
export function commaList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** localhost, ::1 and 127.0.0.0/8: where plain http never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
