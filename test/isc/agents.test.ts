import http from 'node:http';
import https from 'node:https';
import { afterEach, describe, expect, it } from '@jest/globals';
import { HttpProxyAgent, HttpsProxyAgent } from 'hpagent';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { bypassesProxy, createAgents, describeProxy, destroyAgents, proxyFor, type OutboundAgents } from '../../src/isc/agents.js';

const bypass = (url: string, noProxy: string) => bypassesProxy(new URL(url), noProxy);

describe('NO_PROXY matching', () => {
  it.each([
    ['https://acme.api.identitynow.com', 'acme.api.identitynow.com', true],
    ['https://acme.api.identitynow.com', 'identitynow.com', true], // a bare domain covers its subdomains (curl)
    ['https://acme.api.identitynow.com', '.identitynow.com', true],
    ['https://acme.api.identitynow.com', '*.identitynow.com', true],
    ['https://identitynow.com', '.identitynow.com', true],
    ['https://notidentitynow.com', 'identitynow.com', false], // a suffix, not a substring
    ['https://notidentitynow.com', '.identitynow.com', false],
    ['https://acme.api.identitynow.com', '*', true],
    ['https://ACME.api.IdentityNow.com', 'acme.API.identitynow.COM', true],
    ['https://acme.api.identitynow.com', 'other.example, acme.api.identitynow.com', true],
    ['https://acme.api.identitynow.com', 'other.example acme.api.identitynow.com', true],
    ['https://acme.api.identitynow.com', ' , ,other.example', false],
    ['https://acme.api.identitynow.com', '', false],
    // host:port matches that port only; the default port counts
    ['https://acme.api.identitynow.com', 'acme.api.identitynow.com:443', true],
    ['https://acme.api.identitynow.com', 'acme.api.identitynow.com:8443', false],
    ['http://127.0.0.1:8080', '127.0.0.1:8080', true],
    ['http://127.0.0.1:8080', '127.0.0.1:8081', false],
    ['http://127.0.0.1:8080', '127.0.0.1', true],
    ['http://127.0.0.10:8080', '127.0.0.1', false],
    // IPv6, with and without brackets
    ['http://[::1]:8080', '::1', true],
    ['http://[::1]:8080', '[::1]:8080', true],
    ['http://[::1]:8080', '[::1]:9090', false],
    ['http://[2001:db8::10]/', '2001:db8::10', true],
  ])('%s with NO_PROXY=%j → bypass %s', (url, noProxy, expected) => {
    expect(bypass(url, noProxy)).toBe(expected);
  });
});

describe('proxy selection', () => {
  const settings = { httpProxy: 'http://plain-proxy:3128', httpsProxy: 'http://user:pw@tls-proxy:3129', noProxy: 'internal.example' };

  it('takes HTTPS_PROXY for https targets and HTTP_PROXY for http targets', () => {
    expect(proxyFor('https://acme.api.identitynow.com/v2024', settings)?.href).toBe('http://user:pw@tls-proxy:3129/');
    expect(proxyFor('http://acme.example:8080', settings)?.href).toBe('http://plain-proxy:3128/');
    expect(proxyFor('https://acme.api.identitynow.com', { httpProxy: 'http://plain-proxy:3128' })).toBeUndefined();
    expect(proxyFor('https://api.internal.example', settings)).toBeUndefined();
  });

  it('reads a proxy without a scheme as an http proxy', () => {
    expect(proxyFor('https://acme.example', { httpsProxy: 'proxy.corp:3128' })?.href).toBe('http://proxy.corp:3128/');
  });

  describe('agents', () => {
    let agents: OutboundAgents | undefined;
    afterEach(() => {
      if (agents) destroyAgents(agents);
      agents = undefined;
    });
    const options = (agent: http.Agent): Record<string, unknown> => Reflect.get(agent, 'options') as Record<string, unknown>;

    it('an https target with HTTPS_PROXY gets hpagent tunnelling agents, keep-alive, and no `ca` of their own', () => {
      agents = createAgents('https://acme.api.identitynow.com', settings);
      expect(agents.https).toBeInstanceOf(HttpsProxyAgent);
      expect(agents.http).toBeInstanceOf(HttpProxyAgent);
      expect(agents.proxy?.host).toBe('tls-proxy:3129');
      expect(Reflect.get(agents.https, 'proxy')).toEqual(new URL('http://user:pw@tls-proxy:3129'));
      expect(Reflect.get(agents.http, 'proxy')).toEqual(new URL('http://plain-proxy:3128'));
      for (const agent of [agents.http, agents.https]) {
        expect(Reflect.get(agent, 'keepAlive')).toBe(true);
        // No `ca`: Node's roots plus NODE_EXTRA_CA_CERTS stay in force (an own `ca` would replace them).
        expect(options(agent).ca).toBeUndefined();
        expect(Reflect.get(agent, 'proxyRequestOptions')).toEqual({});
      }
    });

    it('a target NO_PROXY names gets plain keep-alive agents', () => {
      agents = createAgents('https://api.internal.example', settings);
      expect(agents.proxy).toBeUndefined();
      expect(agents.https).not.toBeInstanceOf(HttpsProxyAgent);
      expect(agents.https).toBeInstanceOf(https.Agent);
      expect(agents.http).not.toBeInstanceOf(HttpProxyAgent);
      expect(Reflect.get(agents.https, 'keepAlive')).toBe(true);
      expect(options(agents.https).ca).toBeUndefined();
    });

    it('without proxy settings, plain agents', () => {
      agents = createAgents('https://acme.api.identitynow.com');
      expect(agents.proxy).toBeUndefined();
      expect(agents.https).not.toBeInstanceOf(HttpsProxyAgent);
      expect(agents.http).toBeInstanceOf(http.Agent);
    });
  });

  it('describes a proxy for logs without its credentials', () => {
    expect(describeProxy(new URL('http://user:s3cr3t-pass@proxy.corp:3128'))).toBe('http://proxy.corp:3128');
    expect(describeProxy(undefined)).toBe('none');
  });
});

describe('proxy configuration', () => {
  it('reads lower- and upper-case variables, lower case first (as curl)', () => {
    const config = loadConfig({
      HTTPS_PROXY: 'http://upper:3128',
      https_proxy: 'http://lower:3128',
      HTTP_PROXY: 'http://plain:3128',
      NO_PROXY: 'a.example',
    });
    expect(config.upstream.proxy).toEqual({ httpsProxy: 'http://lower:3128', httpProxy: 'http://plain:3128', noProxy: 'a.example' });
    expect(loadConfig({}).upstream.proxy).toEqual({ httpProxy: undefined, httpsProxy: undefined, noProxy: undefined });
  });

  it('refuses a proxy that is not an http(s) URL, without echoing it (it may hold a password)', () => {
    const attempt = () => loadConfig({ HTTPS_PROXY: 'socks5://user:hunter2-secret@proxy:1080' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('HTTPS_PROXY must be an http:// or https:// proxy URL');
    expect(attempt).not.toThrow(/hunter2/);
  });

  it('parses the shutdown grace, log level and demo latency with defaults', () => {
    expect(loadConfig({})).toMatchObject({ server: { shutdownGraceMs: 10_000 }, observability: { logLevel: 'info' }, demo: { latencyMs: 0 } });
    expect(loadConfig({ NODE_ENV: 'test' }).observability.logLevel).toBe('silent');
    expect(loadConfig({ SHUTDOWN_GRACE_MS: '2500', LOG_LEVEL: 'DEBUG', DEMO_TENANT_LATENCY_MS: '300' })).toMatchObject({
      server: { shutdownGraceMs: 2500 },
      observability: { logLevel: 'debug' },
      demo: { latencyMs: 300 },
    });
    expect(() => loadConfig({ LOG_LEVEL: 'verbose' })).toThrow(ConfigError);
    expect(() => loadConfig({ SHUTDOWN_GRACE_MS: '-1' })).toThrow(ConfigError);
  });

  it('reads every setting under its SAIL_ name, takes the earlier name as an alias (the new one wins), and lists the earlier names in use', () => {
    const config = loadConfig({
      SAIL_SHUTDOWN_GRACE_MS: '2500',
      SAIL_LOG_LEVEL: 'warn',
      GATEWAY_API_KEYS: 'old-key',
      SAIL_RATE_LIMIT: '50',
      RATE_LIMIT: '70',
      PORT: '8080',
    });
    expect(config).toMatchObject({
      server: { shutdownGraceMs: 2500, port: 8080 },
      observability: { logLevel: 'warn' },
      auth: { apiKeys: ['old-key'] },
      rate: { limit: 50 },
    });
    expect(config.deprecations).toEqual(['GATEWAY_API_KEYS is now SAIL_API_KEYS', 'RATE_LIMIT is now SAIL_RATE_LIMIT']);
    expect(loadConfig({ SAIL_PORT: '9090', PORT: '8080' }).server.port).toBe(9090); // PORT: a platform's fallback, not deprecated
    expect(loadConfig({}).deprecations).toEqual([]);
  });

  it('ignores a retired setting whatever its value, with a line saying why', () => {
    expect(loadConfig({ SAIL_LOGIN_MAX_PENDING: 'not a number' }).retired).toEqual([
      'SAIL_LOGIN_MAX_PENDING: sign-ins in progress travel sealed in their login cookie; the gateway keeps none to bound',
    ]);
    expect(loadConfig({}).retired).toEqual([]);
  });
});
