import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { startDemoTenant } from '../../src/demo-tenant/server.js';
import { tenantOptions, loadStandaloneConfig } from '../../src/demo-tenant/standalone.js';
import { startGateway } from '../../src/gateway.js';
import { collectLines } from '../support/lines.js';
import { recordingLogger } from '../support/recording-logger.js';

/**
 * Defect 4 of the safety issue: the built-in demo tenant answers anyone on fake data, so it must
 * never start by accident in production, and it must not keep callers' tokens in memory.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** `src/index.ts` with `env` (no proxy or SAIL_* variables of the machine): its exit code and output. */
function runGateway(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(SAIL_|HTTPS?_PROXY|NO_PROXY|NODE_ENV)/i.test(name)));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: ROOT,
    env: { ...base, SAIL_PORT: '0', SAIL_HOST: '127.0.0.1', SAIL_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  collectLines(child.stdout, lines, () => {
    // A gateway that started is stopped at once: the test only needs to know it did.
    if (lines.some((l) => l.includes('ISC GraphQL gateway ready'))) child.kill('SIGTERM');
  });
  collectLines(child.stderr, lines, () => undefined);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output: lines.join('\n') });
    });
  });
}

describe('the demo tenant never starts silently in production', () => {
  it('refuses to start (exit 1, a message naming SAIL_BASE_URL) with NODE_ENV=production and client credentials but no SAIL_BASE_URL', async () => {
    const { code, output } = await runGateway({
      NODE_ENV: 'production',
      SAIL_CLIENT_ID: 'real-client',
      SAIL_CLIENT_SECRET: 'real-client-secret-value',
    });
    expect(code).toBe(1);
    expect(output).toContain('Configuration error');
    expect(output).toMatch(/SAIL_BASE_URL is not set but NODE_ENV=production and SAIL_CLIENT_ID is set.*SAIL_DEMO_TENANT=on/);
    expect(output).not.toContain('ISC GraphQL gateway ready');
    expect(output).not.toContain('real-client-secret-value');
  }, 40_000);

  it('starts the demo with SAIL_DEMO_TENANT=on, the only way to combine them', async () => {
    const { code, output } = await runGateway({ NODE_ENV: 'production', SAIL_DEMO_TENANT: 'on' });
    expect(output).toContain('serving the built-in demo tenant');
    expect(code).toBe(0);
  }, 40_000);

  it('decides from the environment: production, client id, explicit switch', () => {
    const refused = (env: Record<string, string>) => () => loadConfig(env);
    expect(refused({ NODE_ENV: 'production' })).toThrow(ConfigError);
    expect(refused({ SAIL_CLIENT_ID: 'c' })).toThrow(/SAIL_CLIENT_ID is set/);
    expect(refused({ SAIL_DEMO_TENANT: 'off' })).toThrow(/SAIL_DEMO_TENANT=off/);
    expect(
      refused({ SAIL_DEMO_TENANT: 'on', SAIL_BASE_URL: 'https://acme.api.identitynow.com', SAIL_CLIENT_ID: 'c', SAIL_CLIENT_SECRET: 's' }),
    ).toThrow(/choose/);
    expect(loadConfig({}).demo.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development' }).demo.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', SAIL_CLIENT_ID: 'c', SAIL_DEMO_TENANT: 'on' }).demo.enabled).toBe(true);
    expect(
      loadConfig({ SAIL_BASE_URL: 'https://acme.api.identitynow.com', SAIL_CLIENT_ID: 'c', SAIL_CLIENT_SECRET: 's', NODE_ENV: 'production' }).demo
        .enabled,
    ).toBe(false);
  });
});

describe("the demo tenant keeps no caller's token", () => {
  // Every call is counted and none recorded, exactly: a few thousand show it as well as more
  // would (20,000 took over a minute on a loaded 2-core machine).
  const CALLS = 2_000;
  it(`the built-in demo tenant records nothing unless tests turn recording on (${CALLS.toLocaleString('en')} bearer calls, 0 records)`, async () => {
    const gateway = await startGateway(loadConfig({ SAIL_PORT: '0', SAIL_HOST: '127.0.0.1' }), recordingLogger().logger);
    try {
      const tenant = gateway.demoTenant!;
      const authorization = `Bearer ${tenant.issueToken()}`;
      let next = 0;
      let ok = 0;
      await Promise.all(
        Array.from({ length: 50 }, async () => {
          while (next < CALLS) {
            next++;
            const response = await fetch(`${tenant.url}/connector-customizers/v1?limit=1`, { headers: { authorization } });
            await response.arrayBuffer();
            if (response.status === 200) ok++;
          }
        }),
      );
      process.stdout.write(
        `[figures] ${CALLS} bearer calls to the built-in demo tenant: ${JSON.stringify({ ok, records: tenant.requests.length, summaries: tenant.requestSummaries().length })}\n`,
      );
      expect(ok).toBe(CALLS);
      expect(tenant.requests).toHaveLength(0);
      expect(tenant.tokenRequests).toHaveLength(0);
      expect(tenant.requestSummaries()).toHaveLength(0);
      expect(tenant.stats().apiRequests).toBe(CALLS); // the counters still count
    } finally {
      await gateway.close();
    }
  }, 60_000);

  it('the standalone demo tenant keeps bounded summaries without headers', async () => {
    const tenant = await startDemoTenant({ ...tenantOptions(loadStandaloneConfig({})), maxRecordedRequests: 10 });
    try {
      const authorization = `Bearer ${tenant.issueToken()}`;
      for (let i = 0; i < 40; i++) await (await fetch(`${tenant.url}/connectors/v1/c-${i}`, { headers: { authorization } })).arrayBuffer();
      const summaries = tenant.requestSummaries();
      expect(summaries.length).toBeGreaterThanOrEqual(10);
      expect(summaries.length).toBeLessThanOrEqual(22);
      expect(summaries.at(-1)).toEqual({
        kind: 'api',
        method: 'GET',
        path: '/connectors/v1/c-39',
        at: expect.any(Number),
        status: 404,
        clientId: 'demo-client',
      });
      expect(JSON.stringify(summaries)).not.toContain(authorization.slice(7));
      expect(tenant.requests).toHaveLength(0);
    } finally {
      await tenant.close();
    }
  });
});
