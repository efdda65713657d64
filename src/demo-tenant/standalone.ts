import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../config/defaults.js';
import { deprecationSetting, type DemoDeprecation } from '../config/demo.js';
import { ConfigError, flagSetting as flag, integerSetting as integer, readEnvironment, type Environment } from '../config/parse.js';
import { BACKOFF_TIERS_IN_WINDOWS, parseRouteLimits, type RateLimitSettings } from './rate-limits.js';
import { DEFAULT_API_PREFIX } from './router.js';
import { checkRedirectUri } from './sign-in.js';
import { DEMO_PATH_PREFIX } from './stats.js';
import { DEMO_USERS } from './seed/users.js';
import type { DemoTenant, DemoTenantOptions } from './server.js';

/**
 * The demo tenant as its own process (`npm run demo-tenant`): one upstream that several gateway
 * replicas can share, counting the requests and tokens they all make. This file turns the
 * environment into tenant options and says what the process prints; main.ts runs it.
 */

/** The demo tenant's settings are read as the gateway's are, so its configuration errors are the same kind. */
export { ConfigError as DemoTenantConfigError } from '../config/parse.js';

export interface StandaloneConfig {
  port: number;
  host: string;
  tokenLifetimeSeconds: number;
  latencyMs: number;
  /** ISC's limits per OAuth client (429 + Retry-After beyond them) and its backoff, or undefined for none. */
  rateLimit: RateLimitSettings | undefined;
  /** Redirect URIs of the sign-in client (`SAIL_DEMO_TENANT_REDIRECT_URIS`, comma-separated). */
  loginRedirectUris: string[];
  /** Layouts and routes whose answers carry `X-Deprecated: true` (`SAIL_DEMO_TENANT_DEPRECATED`). */
  deprecated: DemoDeprecation;
}

/** A comma-separated list of redirect URIs; each must be an absolute http(s) URL without fragment. */
function redirectUrisSetting(env: Environment, name: string): string[] {
  const uris = (env[name] ?? '')
    .split(',')
    .map((uri) => uri.trim())
    .filter((uri) => uri !== '');
  for (const uri of uris) {
    try {
      checkRedirectUri(uri);
    } catch (error) {
      throw new ConfigError(`${name}: ${(error as Error).message}`);
    }
  }
  return [...new Set(uris)];
}

/** Request summaries kept for `/__demo/requests`: enough for a long test, bounded for a long demo. */
export const MAX_RECORDED_REQUESTS = 100_000;

/** `SAIL_DEMO_TENANT_ROUTE_LIMITS` (see parseRouteLimits); whether each route exists is checked at start. */
function routeLimitsSetting(env: Environment, name: string): Record<string, number> {
  try {
    return parseRouteLimits(env[name] ?? '');
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
}

/** ISC's limits and backoff as the demo tenant's settings ask for them, or undefined for none. */
function rateLimitSettings(env: Environment): RateLimitSettings | undefined {
  const limit = integer(env, 'SAIL_DEMO_TENANT_RATE_LIMIT', 0, 0, 1_000_000);
  const windowMs = integer(env, 'SAIL_DEMO_TENANT_RATE_WINDOW_MS', 10_000, 10, 3_600_000);
  const routeLimits = routeLimitsSetting(env, 'SAIL_DEMO_TENANT_ROUTE_LIMITS');
  const backoff = flag(env, 'SAIL_DEMO_TENANT_BACKOFF', false);
  const routed = Object.keys(routeLimits).length > 0;
  if (limit === 0 && !routed) {
    if (backoff)
      throw new ConfigError('SAIL_DEMO_TENANT_BACKOFF=on needs a limit to exceed: SAIL_DEMO_TENANT_RATE_LIMIT or SAIL_DEMO_TENANT_ROUTE_LIMITS');
    return undefined;
  }
  return { ...(limit > 0 ? { limit } : {}), windowMs, ...(routed ? { routeLimits } : {}), ...(backoff ? { backoff } : {}) };
}

/** What the banner says of the deprecations marked. */
function describeDeprecation({ layouts, routes }: DemoDeprecation): string {
  const marked = [...layouts.map((layout) => `the ${layout} layout`), ...routes];
  return marked.length > 0 ? `${marked.join(', ')} (answers carry X-Deprecated: true)` : 'none (SAIL_DEMO_TENANT_DEPRECATED)';
}

/** What the banner says of the limits in force. */
function describeRateLimit(rateLimit: RateLimitSettings | undefined): string {
  if (!rateLimit) return 'off';
  const { limit, windowMs, routeLimits = {}, backoff } = rateLimit;
  const parts = [
    limit !== undefined ? `${limit} API calls per ${windowMs} ms per OAuth client (429 + Retry-After beyond)` : `window ${windowMs} ms`,
    ...Object.entries(routeLimits).map(([route, routeLimit]) => `${route} ${routeLimit} per window per client`),
    backoff
      ? `backoff on: 3 violated intervals within ${12 * windowMs} ms lock the client out of the route for ${BACKOFF_TIERS_IN_WINDOWS.map((w) => Math.max(1, Math.ceil((w * windowMs) / 1000))).join(', ')} s`
      : 'backoff off (SAIL_DEMO_TENANT_BACKOFF)',
  ];
  return parts.join('; ');
}

export function loadStandaloneConfig(raw: NodeJS.ProcessEnv = process.env): StandaloneConfig {
  const { env } = readEnvironment(raw); // the same names (and earlier names) as the gateway's
  return {
    port: integer(env, 'SAIL_DEMO_TENANT_PORT', 0, 0, 65_535),
    host: env.SAIL_HOST || DEFAULTS.server.host,
    // ISC's documented lifetime is 749 s; tests and demos of token refresh use a few seconds.
    tokenLifetimeSeconds: integer(env, 'SAIL_DEMO_TENANT_TOKEN_LIFETIME_S', 749, 1, 86_400),
    latencyMs: integer(env, 'SAIL_DEMO_TENANT_LATENCY_MS', DEFAULTS.demo.latencyMs, 0, 60_000),
    rateLimit: rateLimitSettings(env),
    loginRedirectUris: redirectUrisSetting(env, 'SAIL_DEMO_TENANT_REDIRECT_URIS'),
    deprecated: deprecationSetting(env, 'SAIL_DEMO_TENANT_DEPRECATED'),
  };
}

export function tenantOptions(config: StandaloneConfig): DemoTenantOptions {
  return {
    port: config.port,
    host: config.host,
    tokenLifetimeSeconds: config.tokenLifetimeSeconds,
    faults: { latencyMs: config.latencyMs || undefined, rateLimit: config.rateLimit },
    loginRedirectUris: config.loginRedirectUris,
    deprecated: config.deprecated,
    demoEndpoints: true,
    // Header-free summaries only: the process runs for long, and callers' tokens stay out of its memory.
    keepSummaries: true,
    maxRecordedRequests: MAX_RECORDED_REQUESTS,
  };
}

/** The process's command-line options (`npm run demo-tenant -- …`). */
export interface StandaloneArguments {
  /** `--banner-file PATH`: the banner is also written to PATH once the demo tenant listens. */
  bannerFile: string | undefined;
  /** `--sign-in`: the banner also sets the sign-in client's variables. */
  signIn: boolean;
}

/**
 * Reads the options. npm's script ends in `--` so that Node never reads the options meant for
 * this script as its own (Node 20 to 24 read `--env-file` even after the script name, up to a
 * `--`): one leading `--` is dropped. `--env-file` was this option's earlier name; it is refused
 * with the new one, since Node reads it on any command line without that `--`.
 */
export function parseArguments(args: readonly string[]): StandaloneArguments {
  const own = args[0] === '--' ? args.slice(1) : [...args];
  const earlier = own.find((arg) => arg === '--env-file' || arg.startsWith('--env-file='));
  if (earlier) {
    throw new ConfigError(`${earlier.split('=')[0]} is now --banner-file (Node itself reads --env-file, even after the script name)`);
  }
  const { values } = parseArgs({ args: own, options: { 'banner-file': { type: 'string' }, 'sign-in': { type: 'boolean' } } });
  return { bannerFile: values['banner-file'] || undefined, signIn: values['sign-in'] === true };
}

/**
 * What the process prints once it listens: the variables a gateway needs, one per line and ready
 * to paste or source (`set -a; . ./demo-tenant.env; set +a`), the rest as `#` comments. Sourced,
 * it configures a gateway that starts: the sign-in client's variables only with `signIn`, since a
 * gateway with them needs its own public URL too (`SAIL_PUBLIC_URL`, per replica). The client
 * secrets (the demo client's and the sign-in client's) are the demo tenant's well-known ones, not
 * credentials of anything real; the API key is made up per start, for the gateways' callers (a
 * gateway with client credentials wants one).
 */
export function bannerLines(
  tenant: Pick<DemoTenant, 'url' | 'clientId' | 'clientSecret' | 'login'>,
  config: StandaloneConfig,
  options: { signIn?: boolean; apiKey?: string } = {},
): string[] {
  const apiKey = options.apiKey ?? `demo-key-${randomBytes(8).toString('hex')}`;
  const limit = describeRateLimit(config.rateLimit);
  const redirects = config.loginRedirectUris.length > 0 ? config.loginRedirectUris.join(' ') : 'none (SAIL_DEMO_TENANT_REDIRECT_URIS)';
  const users = DEMO_USERS.map((u) => u.name).join(', ');
  const signIn = options.signIn
    ? [
        `SAIL_LOGIN_CLIENT_ID=${tenant.login.clientId}`,
        `SAIL_LOGIN_CLIENT_SECRET=${tenant.login.clientSecret}`,
        `SAIL_AUTHORIZE_URL=${tenant.login.authorizeUrl}`,
        `# sign-in redirect URIs: ${redirects}; users: ${users}; each gateway also needs SAIL_PUBLIC_URL and SAIL_SESSION_SECRET`,
      ]
    : [`# sign-in: --sign-in adds its variables; redirect URIs: ${redirects}; users: ${users}`];
  return [
    '# ISC demo tenant: a fake of the ISC API with demo data, for demos and tests only',
    `SAIL_BASE_URL=${tenant.url}`,
    `SAIL_CLIENT_ID=${tenant.clientId}`,
    `SAIL_CLIENT_SECRET=${tenant.clientSecret}`,
    `SAIL_API_KEYS=${apiKey}`,
    ...signIn,
    `# token lifetime ${config.tokenLifetimeSeconds} s; added latency ${config.latencyMs} ms; rate limit ${limit}`,
    `# API paths: ${tenant.url}${DEFAULT_API_PREFIX}/connectors/… and ${tenant.url}/connectors/v1/… (both layouts); deprecated: ${describeDeprecation(config.deprecated)}`,
    `# demo-only counters (loopback callers): GET ${tenant.url}${DEMO_PATH_PREFIX}stats, GET ${tenant.url}${DEMO_PATH_PREFIX}requests?since=<ms>`,
    '# stop with Ctrl-C or SIGTERM',
  ];
}

/** Writes the banner to `path` whole or not at all (a temporary file renamed), so a reader that waits for `path` never sees half of it. */
export function writeBannerFile(path: string, lines: string[]): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${lines.join('\n')}\n`, { mode: 0o600 });
  renameSync(temporary, path);
}
