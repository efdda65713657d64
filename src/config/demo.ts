import { DEFAULTS } from './defaults.js';
import { ConfigError, flagSetting as flag, integerSetting as integer, type Environment } from './parse.js';

/** The built-in demo tenant: served only when no `SAIL_BASE_URL` is set (see `demoTenantDecision`). */
export interface DemoConfig {
  enabled: boolean;
  /** Latency added to every demo tenant API answer (demos of slow upstreams, shutdown tests). */
  latencyMs: number;
  /** Routes and layouts whose answers the demo tenant marks `X-Deprecated: true` (`SAIL_DEMO_TENANT_DEPRECATED`). */
  deprecated: DemoDeprecation;
}

export function demoConfig(env: Environment, enabled: boolean): DemoConfig {
  return {
    enabled,
    latencyMs: integer(env, 'SAIL_DEMO_TENANT_LATENCY_MS', DEFAULTS.demo.latencyMs, 0, 60_000),
    deprecated: deprecationSetting(env, 'SAIL_DEMO_TENANT_DEPRECATED'),
  };
}

/** What the demo tenant marks deprecated, as ISC does: whole path layouts, and single routes in both layouts. */
export interface DemoDeprecation {
  layouts: ('v2024' | 'per-resource')[];
  /** Route labels as `/__demo/stats` names them in `apiByRoute`, e.g. `GET /connectors/:scriptName`. */
  routes: string[];
}

/**
 * `SAIL_DEMO_TENANT_DEPRECATED`: comma-separated layouts (`v2024`, `per-resource`) and routes
 * (`METHOD /route/template`, the labels of the route limits), e.g. `v2024` or
 * `GET /connectors,DELETE /oauth-clients/:id`. Whether each route exists is checked when the
 * demo tenant starts.
 */
export function deprecationSetting(env: Environment, name: string): DemoDeprecation {
  const deprecation: DemoDeprecation = { layouts: [], routes: [] };
  const entries = (env[name] ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  for (const entry of entries) {
    const layout = entry.toLowerCase();
    const route = /^([A-Za-z]+)\s+(\/\S*)$/.exec(entry);
    if (layout === 'v2024' || layout === 'per-resource') deprecation.layouts.push(layout);
    else if (route) deprecation.routes.push(`${route[1].toUpperCase()} ${route[2]}`);
    else
      throw new ConfigError(
        `${name}: "${entry}" is neither a path layout (v2024, per-resource) nor a route METHOD /route/template (e.g. GET /connectors)`,
      );
  }
  return { layouts: [...new Set(deprecation.layouts)], routes: [...new Set(deprecation.routes)] };
}

/**
 * Whether the built-in demo tenant serves. It answers anyone on fake data, so a deployment that
 * looks like production (`NODE_ENV=production`, or client credentials configured) without a
 * `SAIL_BASE_URL` is refused rather than silently served fake data; `SAIL_DEMO_TENANT=on` is the
 * only way to combine them.
 */
export function demoTenantDecision(env: Environment, baseUrl: string | undefined): boolean {
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
