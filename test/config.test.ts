import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../src/config/index.js';

/** Settings a newcomer gets wrong are refused at start with a message that says what to set. */
const config = (env: Record<string, string>) => () => loadConfig({ SAIL_CLIENT_ID: 'id', SAIL_CLIENT_SECRET: 'secret', ...env });

describe('SAIL_BASE_URL', () => {
  it('is the API host only: a path, query or credentials stop the start, naming what to set', () => {
    for (const [value, found] of [
      ['https://acme.api.identitynow.com/v2024', 'the path /v2024'],
      ['https://acme.api.identitynow.com/v2024/', 'the path /v2024'],
      ['https://acme.api.identitynow.com/?tenant=acme', 'a query or fragment'],
      ['https://user:pw@acme.api.identitynow.com', 'credentials'],
    ]) {
      const start = config({ SAIL_BASE_URL: value });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(
        `SAIL_BASE_URL must be the API host only, such as https://acme.api.identitynow.com (got ${found} after https://acme.api.identitynow.com): the gateway adds the API paths itself`,
      );
    }
  });

  it('never echoes credentials given in it', () => {
    expect(config({ SAIL_BASE_URL: 'https://user:hunter2-password@acme.api.identitynow.com' })).toThrow(/^(?!.*hunter2).*$/s);
  });

  it('accepts the host, with or without a trailing slash', () => {
    expect(config({ SAIL_BASE_URL: 'https://acme.api.identitynow.com/' })().upstream.baseUrl).toBe('https://acme.api.identitynow.com');
    expect(config({ SAIL_BASE_URL: 'http://127.0.0.1:8080' })().upstream.baseUrl).toBe('http://127.0.0.1:8080');
  });
});

describe('SAIL_API_PATHS and SAIL_API_PREFIX', () => {
  const upstream = (env: Record<string, string>) => config({ SAIL_BASE_URL: 'https://acme.api.identitynow.com', ...env })().upstream;

  it("default to ISC's per-resource paths", () => {
    expect(upstream({}).apiPaths).toBe('per-resource');
  });

  it('refuse an unknown layout, naming the two there are', () => {
    for (const value of ['v2025', 'per_resource', 'V2024', 'v1']) {
      const start = config({ SAIL_API_PATHS: value });
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(`SAIL_API_PATHS must be per-resource or v2024 (got "${value}")`);
    }
  });

  it('refuse a prefix without the year-versioned layout, saying which to set: an operator’s prefix is never ignored', () => {
    for (const env of [{ SAIL_API_PREFIX: '/v2025' }, { SAIL_API_PREFIX: '/v2025', SAIL_API_PATHS: 'per-resource' }] as Record<string, string>[]) {
      const start = config(env);
      expect(start).toThrow(ConfigError);
      expect(start).toThrow(
        "SAIL_API_PREFIX applies only to the year-versioned paths: set SAIL_API_PATHS=v2024 to call /v2025/…, or unset SAIL_API_PREFIX to use ISC's per-resource paths (/connectors/v1/…)",
      );
    }
  });

  it('keep the prefix’s meaning with SAIL_API_PATHS=v2024 (default /v2024)', () => {
    expect(upstream({ SAIL_API_PATHS: 'v2024' })).toMatchObject({ apiPaths: 'v2024', apiPrefix: '/v2024' });
    expect(upstream({ SAIL_API_PATHS: 'v2024', SAIL_API_PREFIX: 'v2025/' })).toMatchObject({ apiPaths: 'v2024', apiPrefix: '/v2025' });
  });
});

describe('SAIL_INTROSPECTION', () => {
  it('is an on/off setting like every other switch, following the playground when unset', () => {
    const introspection = (env: Record<string, string>) => loadConfig(env).server.introspection;
    for (const on of ['on', 'true', '1']) expect(introspection({ SAIL_INTROSPECTION: on, SAIL_PLAYGROUND: 'off' })).toBe(true);
    for (const off of ['off', 'false', '0']) expect(introspection({ SAIL_INTROSPECTION: off })).toBe(false);
    expect(introspection({})).toBe(true);
    expect(introspection({ SAIL_PLAYGROUND: 'off' })).toBe(false);
    expect(() => loadConfig({ SAIL_INTROSPECTION: 'yes' })).toThrow('SAIL_INTROSPECTION must be on or off (got "yes")');
  });
});

describe('/metrics exposure', () => {
  const production = { NODE_ENV: 'production', SAIL_DEMO_TENANT: 'on', SAIL_HOST: '0.0.0.0' };

  it('in production on a non-loopback host, unprotected /metrics refuses to start, naming the three ways out', () => {
    const start = () => loadConfig(production);
    expect(start).toThrow(ConfigError);
    expect(start).toThrow(
      '/metrics would answer anyone who reaches SAIL_HOST=0.0.0.0 (NODE_ENV=production): set SAIL_METRICS_TOKEN (scrapers send it as a bearer token), ' +
        'or SAIL_METRICS_PORT (a listener of its own, on loopback unless SAIL_METRICS_HOST says otherwise), or SAIL_METRICS=off',
    );
  });

  it('starts with any of them, or on loopback; the metrics port binds to loopback unless SAIL_METRICS_HOST says otherwise', () => {
    for (const way of [
      { SAIL_METRICS_TOKEN: 'a-metrics-token-of-16+' },
      { SAIL_METRICS_PORT: '9464' },
      { SAIL_METRICS: 'off' },
      { SAIL_HOST: '127.0.0.1' },
    ]) {
      expect(() => loadConfig({ ...production, ...way })).not.toThrow();
    }
    expect(loadConfig({ ...production, SAIL_METRICS_PORT: '9464' }).observability.metricsHost).toBe('127.0.0.1');
    expect(loadConfig({ ...production, SAIL_METRICS_PORT: '9464', SAIL_METRICS_HOST: '0.0.0.0' }).observability.metricsHost).toBe('0.0.0.0');
  });
});

describe('SAIL_REDIS_COMMAND_TIMEOUT_MS', () => {
  it('is 500 ms unless set, between 50 and 60000', () => {
    expect(loadConfig({}).redis.commandTimeoutMs).toBe(500);
    expect(loadConfig({ SAIL_REDIS_COMMAND_TIMEOUT_MS: '5000' }).redis.commandTimeoutMs).toBe(5000);
    for (const value of ['10', '60001', 'soon']) {
      expect(() => loadConfig({ SAIL_REDIS_COMMAND_TIMEOUT_MS: value })).toThrow(/SAIL_REDIS_COMMAND_TIMEOUT_MS/);
    }
  });
});

describe('SAIL_REDIS_CACHE_URL', () => {
  it('is a redis:// or rediss:// URL, needs SAIL_REDIS_URL, and is never echoed', () => {
    expect(loadConfig({ SAIL_REDIS_URL: 'redis://127.0.0.1:6379', SAIL_REDIS_CACHE_URL: 'rediss://:pw@cache.example:6380' }).redis).toEqual(
      expect.objectContaining({ url: 'redis://127.0.0.1:6379', cacheUrl: 'rediss://:pw@cache.example:6380' }),
    );
    expect(loadConfig({ SAIL_REDIS_URL: 'redis://127.0.0.1:6379' }).redis.cacheUrl).toBeUndefined();
    const alone = () => loadConfig({ SAIL_REDIS_CACHE_URL: 'redis://127.0.0.1:6380' });
    expect(alone).toThrow(ConfigError);
    expect(alone).toThrow(/^SAIL_REDIS_CACHE_URL needs SAIL_REDIS_URL/);
    const wrong = () => loadConfig({ SAIL_REDIS_URL: 'redis://127.0.0.1:6379', SAIL_REDIS_CACHE_URL: 'http://:hunter2-password@cache.example' });
    expect(wrong).toThrow('SAIL_REDIS_CACHE_URL must be a redis:// or rediss:// URL');
    expect(wrong).toThrow(/^(?!.*hunter2).*$/s);
  });
});
