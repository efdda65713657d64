import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant } from '../../src/demo-tenant/server.js';
import { parseArguments } from '../../src/demo-tenant/standalone.js';
import { isLoopback } from '../../src/demo-tenant/stats.js';
import { DEMO_TENANT_FROM_SOURCES, printedVariables, spawnDemoTenant, type DemoTenantProcess } from '../support/demo-tenant-process.js';
import { maxInWindow } from '../support/windows.js';

// The demo tenant as its own process (`npm run demo-tenant`). Its stdout carries the demo client
// secret: assertions use it, nothing here prints it (the runner's secret scan would fail the run).

let tenant: DemoTenantProcess; // --sign-in, 1 s tokens, no rate limit, two sign-in redirect URIs; stopped with SIGTERM at the end
let limited: DemoTenantProcess; // 3 calls per minute per OAuth client; stopped with SIGINT

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const withArgs = (...args: string[]) => ({ args: [...DEMO_TENANT_FROM_SOURCES, ...args], cwd: ROOT });

const REDIRECTS = ['http://127.0.0.1:4000/auth/callback', 'http://localhost:4000/auth/callback?tenant=demo'];

beforeAll(async () => {
  // Settled one by one, so that one failing to start does not leave the other running.
  const [first, second] = await Promise.allSettled([
    spawnDemoTenant(
      { SAIL_DEMO_TENANT_TOKEN_LIFETIME_S: '1', SAIL_DEMO_TENANT_REDIRECT_URIS: ` ${REDIRECTS.join(' , ')},` },
      15_000,
      withArgs('--sign-in'),
    ),
    spawnDemoTenant({ SAIL_DEMO_TENANT_RATE_LIMIT: '3', SAIL_DEMO_TENANT_RATE_WINDOW_MS: '60000' }),
  ]);
  if (first.status === 'fulfilled') tenant = first.value;
  if (second.status === 'fulfilled') limited = second.value;
  for (const started of [first, second]) if (started.status === 'rejected') throw started.reason;
}, 30_000);
afterAll(() => {
  tenant?.kill();
  limited?.kill();
});

async function token(target: DemoTenantProcess): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${target.baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: target.clientId, client_secret: target.clientSecret }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const listCustomizers = (target: DemoTenantProcess, accessToken: string): Promise<Response> =>
  fetch(`${target.baseUrl}/connector-customizers/v1?limit=5`, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(5_000),
  });

describe('npm run demo-tenant', () => {
  it('prints the variables a gateway needs, one per line, and comments for the rest; the sign-in client with --sign-in', () => {
    expect(Object.keys(printedVariables(limited.stdoutLines)).sort()).toEqual([
      'SAIL_API_KEYS',
      'SAIL_BASE_URL',
      'SAIL_CLIENT_ID',
      'SAIL_CLIENT_SECRET',
    ]);
    const variables = printedVariables(tenant.stdoutLines);
    expect(Object.keys(variables).sort()).toEqual([
      'SAIL_API_KEYS',
      'SAIL_AUTHORIZE_URL',
      'SAIL_BASE_URL',
      'SAIL_CLIENT_ID',
      'SAIL_CLIENT_SECRET',
      'SAIL_LOGIN_CLIENT_ID',
      'SAIL_LOGIN_CLIENT_SECRET',
    ]);
    // A key for the gateways' callers, made up per start.
    expect(variables.SAIL_API_KEYS).toMatch(/^demo-key-[0-9a-f]{16}$/);
    expect(printedVariables(limited.stdoutLines).SAIL_API_KEYS).not.toBe(variables.SAIL_API_KEYS);
    expect(variables.SAIL_BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(variables.SAIL_CLIENT_ID).toBe('demo-client');
    expect(variables.SAIL_CLIENT_SECRET.length).toBeGreaterThan(0);
    // The sign-in (authorization-code) client and where browsers sign in.
    expect(variables.SAIL_LOGIN_CLIENT_ID).toBe('demo-login-client');
    expect(variables.SAIL_LOGIN_CLIENT_SECRET.length).toBeGreaterThan(0);
    expect(variables.SAIL_LOGIN_CLIENT_SECRET).not.toBe(variables.SAIL_CLIENT_SECRET);
    expect(variables.SAIL_AUTHORIZE_URL).toBe(`${variables.SAIL_BASE_URL}/oauth/authorize`);
    expect(tenant.stdoutLines).toContain(
      `# sign-in redirect URIs: ${REDIRECTS.join(' ')}; users: ada.admin, rita.reader, sam.source, noor.user; each gateway also needs SAIL_PUBLIC_URL and SAIL_SESSION_SECRET`,
    );
    expect(limited.stdoutLines).toContain(
      '# sign-in: --sign-in adds its variables; redirect URIs: none (SAIL_DEMO_TENANT_REDIRECT_URIS); users: ada.admin, rita.reader, sam.source, noor.user',
    );
    // Every other line is a shell comment, so the whole output can be sourced as an env file.
    expect(tenant.stdoutLines.filter((line) => !/^[A-Z_]+=/.test(line)).every((line) => line.startsWith('#'))).toBe(true);
    expect(tenant.stdoutLines.join('\n')).toContain('# token lifetime 1 s; added latency 0 ms; rate limit off');
    expect(limited.stdoutLines.join('\n')).toContain('rate limit 3 API calls per 60000 ms per OAuth client');
    expect(tenant.stderrLines).toEqual([]);
  });

  it('configures, once sourced, a gateway that starts; with --sign-in, once each gateway has its public URL and the session secret', () => {
    // What `set -a; . ./banner; set +a` exports: its NAME=value lines (comments are skipped).
    const plain = loadConfig(printedVariables(limited.stdoutLines));
    expect({ base: plain.upstream.baseUrl, keys: plain.auth.apiKeys.length, signIn: plain.session.enabled }).toEqual({
      base: limited.baseUrl,
      keys: 1,
      signIn: false,
    });
    const withSignIn = printedVariables(tenant.stdoutLines);
    expect(() => loadConfig(withSignIn)).toThrow('Sign-in needs SAIL_PUBLIC_URL');
    const replica = loadConfig({ ...withSignIn, SAIL_PUBLIC_URL: 'http://127.0.0.1:4001', SAIL_SESSION_SECRET: 'x'.repeat(32) });
    expect({ signIn: replica.session.enabled, client: replica.session.clientId, authorize: replica.session.authorizeUrl }).toEqual({
      signIn: true,
      client: 'demo-login-client',
      authorize: `${tenant.baseUrl}/oauth/authorize`,
    });
  });

  it('issues a token for the printed credentials that an API endpoint accepts, and counts both', async () => {
    const since = Date.now();
    const issued = await token(tenant);
    expect(issued.status).toBe(200);
    expect(issued.body).toMatchObject({ token_type: 'bearer', expires_in: 1 });
    const accessToken = String(issued.body.access_token);

    const response = await listCustomizers(tenant, accessToken);
    expect(response.status).toBe(200);
    const items = (await response.json()) as { id: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(items.length).toBeLessThanOrEqual(5);

    const stats = await tenant.stats();
    expect(stats).toMatchObject({
      tokenLifetimeSeconds: 1,
      rateLimit: null,
      tokensIssued: 1,
      tokenRequests: { '200': 1 },
      tokenRequestsByGrant: { client_credentials: { '200': 1 } },
      signInRequests: {},
      apiRequests: 1,
      apiByStatus: { '200': 1 },
      apiByRoute: { 'GET /connector-customizers': { '200': 1 } },
    });
    expect(stats.startedAt).toBeLessThanOrEqual(since);

    const requests = await tenant.requests(since);
    expect(requests).toEqual([
      {
        kind: 'token',
        method: 'POST',
        path: '/oauth/token',
        at: expect.any(Number),
        status: 200,
        clientId: 'demo-client',
        grantType: 'client_credentials',
      },
      { kind: 'api', method: 'GET', path: '/connector-customizers/v1', at: expect.any(Number), status: 200, clientId: 'demo-client' },
    ]);
    expect(requests[0].at).toBeGreaterThanOrEqual(since);
    expect(requests[1].at).toBeGreaterThanOrEqual(requests[0].at);
    // No header values, so no credential, in the log it serves.
    const served = JSON.stringify(requests);
    expect([served.includes(accessToken), served.includes(tenant.clientSecret), /authorization|bearer/i.test(served)]).toEqual([false, false, false]);

    // `since` cuts the log; reading the demo endpoints is not an ISC call.
    expect(await tenant.requests(Date.now() + 1_000)).toEqual([]);
    expect((await tenant.stats()).apiRequests).toBe(1);
  });

  it('issues tokens with the configured lifetime: refused as expired once it has passed', async () => {
    const issued = await token(tenant);
    const accessToken = String(issued.body.access_token);
    expect((await listCustomizers(tenant, accessToken)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const late = await listCustomizers(tenant, accessToken);
    expect(late.status).toBe(401);
    expect(await late.json()).toEqual({ error: 'JWT validation failed: JWT is expired' });
    expect((await tenant.stats()).apiByStatus['401']).toBe(1);
  });

  it('offers sign-in for the redirect URIs of SAIL_DEMO_TENANT_REDIRECT_URIS, and summarises it', async () => {
    const since = Date.now();
    const variables = printedVariables(tenant.stdoutLines);
    const authorize = (redirectUri: string) =>
      fetch(
        `${variables.SAIL_AUTHORIZE_URL}?${new URLSearchParams({ response_type: 'code', client_id: variables.SAIL_LOGIN_CLIENT_ID, redirect_uri: redirectUri, state: 's1' }).toString()}`,
        { signal: AbortSignal.timeout(5_000) },
      );
    for (const redirectUri of REDIRECTS) {
      const page = await authorize(redirectUri);
      expect([redirectUri, page.status]).toEqual([redirectUri, 200]);
      expect(await page.text()).toContain('value="ada.admin"');
    }
    const refused = await authorize('http://127.0.0.1:4001/auth/callback');
    expect(refused.status).toBe(400);
    await refused.arrayBuffer();

    expect((await tenant.stats()).signInRequests).toEqual({ '200': 2, '400': 1 });
    const requests = await tenant.requests(since);
    expect(requests.map((r) => [r.kind, r.method, r.path, r.status, r.clientId])).toEqual([
      ['authorize', 'GET', '/oauth/authorize', 200, 'demo-login-client'],
      ['authorize', 'GET', '/oauth/authorize', 200, 'demo-login-client'],
      ['authorize', 'GET', '/oauth/authorize', 400, 'demo-login-client'],
    ]);
  });

  it('refuses a redirect URI that is not an absolute http(s) URL without fragment (exit code 1)', async () => {
    await expect(spawnDemoTenant({ SAIL_DEMO_TENANT_REDIRECT_URIS: 'http://127.0.0.1:4000/cb,/relative/cb' })).rejects.toThrow(
      /exited \(1\)[\s\S]*configuration error: SAIL_DEMO_TENANT_REDIRECT_URIS: The redirect URI "\/relative\/cb" is not an absolute URL/,
    );
  });

  it('answers 429 with Retry-After and ISC body beyond DEMO_TENANT_RATE_LIMIT, per OAuth client', async () => {
    const accessToken = String((await token(limited)).body.access_token);
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 5; i++) {
      const response = await listCustomizers(limited, accessToken);
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const retryAfter = Number(refused!.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(59);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await refused!.json()).toEqual({ message: ' Rate Limit Exceeded ' });

    const stats = await limited.stats();
    expect(stats.rateLimit).toEqual({ limit: 3, windowMs: 60_000 });
    expect(stats.apiByRoute['GET /connector-customizers']).toEqual({ '200': 3, '429': 2 });
    const arrivals = (await limited.requests()).filter((r) => r.kind === 'api').map((r) => r.at);
    expect(maxInWindow(arrivals, 60_000)).toBe(5);
  });

  it('refuses a bad setting with a clear message and exit code 1', async () => {
    await expect(spawnDemoTenant({ SAIL_DEMO_TENANT_TOKEN_LIFETIME_S: '0' })).rejects.toThrow(
      /exited \(1\)[\s\S]*configuration error: SAIL_DEMO_TENANT_TOKEN_LIFETIME_S must be an integer between 1 and 86400 \(got "0"\)/,
    );
  });

  it('is ready for a signal as soon as it has printed its banner', async () => {
    const fresh = await spawnDemoTenant();
    expect(await fresh.stop('SIGTERM')).toEqual({ code: 0, signal: null });
  });

  it('closes cleanly on SIGTERM and on SIGINT (exit 0)', async () => {
    const [terminated, interrupted] = await Promise.all([tenant.stop('SIGTERM'), limited.stop('SIGINT')]);
    expect(terminated).toEqual({ code: 0, signal: null });
    expect(interrupted).toEqual({ code: 0, signal: null });
    await expect(fetch(`${tenant.baseUrl}/__demo/stats`, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow();
  });
});

describe('npm run demo-tenant -- --banner-file PATH', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'demo-env-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the banner to PATH once it listens (whole, no temporary left, no file needed before), and removes PATH when it stops', async () => {
    const bannerFile = join(dir, 'demo-tenant.env');
    const withFile = await spawnDemoTenant({}, 15_000, withArgs('--banner-file', bannerFile));
    try {
      const written = readFileSync(bannerFile, 'utf8');
      expect(written).toBe(`${withFile.stdoutLines.join('\n')}\n`);
      expect(printedVariables(written.split('\n')).SAIL_BASE_URL).toBe(withFile.baseUrl);
      expect((statSync(bannerFile).mode & 0o777).toString(8)).toBe('600');
      expect(readdirSync(dir)).toEqual(['demo-tenant.env']);
    } finally {
      expect(await withFile.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
    expect(existsSync(bannerFile)).toBe(false);
  });

  it('never writes PATH when it cannot start, and removes a stale one', async () => {
    const bannerFile = join(dir, 'failed.env');
    writeFileSync(bannerFile, 'SAIL_BASE_URL=http://127.0.0.1:1\n');
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((busy.address() as net.AddressInfo).port);
      await expect(spawnDemoTenant({ SAIL_DEMO_TENANT_PORT: port }, 15_000, withArgs('--banner-file', bannerFile))).rejects.toThrow(
        /exited \(1\)[\s\S]*EADDRINUSE/,
      );
      expect(existsSync(bannerFile)).toBe(false);
    } finally {
      busy.close();
    }
  });

  it('refuses an unknown option with exit code 1', async () => {
    await expect(spawnDemoTenant({}, 15_000, withArgs('--banner-fil', 'x'))).rejects.toThrow(
      /exited \(1\)[\s\S]*configuration error: Unknown option '--banner-fil'/,
    );
  });

  it('through npm, refuses the earlier name --env-file with the new one (exit 1), where Node would have read the file itself', async () => {
    const missing = join(dir, 'never-written.env');
    const viaNpm = { command: 'npm', args: ['run', '--silent', 'demo-tenant', '--', '--env-file', missing], cwd: ROOT };
    await expect(spawnDemoTenant({}, 60_000, viaNpm)).rejects.toThrow(
      /exited \(1\)[\s\S]*demo tenant configuration error: --env-file is now --banner-file/,
    );
    expect(existsSync(missing)).toBe(false);
  }, 70_000);
});

describe('the command line', () => {
  it("takes --banner-file and --sign-in, after the -- of npm's script or without it, and refuses --env-file in either form", () => {
    expect(parseArguments(['--', '--banner-file', 'b.env', '--sign-in'])).toEqual({ bannerFile: 'b.env', signIn: true });
    expect(parseArguments(['--banner-file=b.env'])).toEqual({ bannerFile: 'b.env', signIn: false });
    expect(parseArguments(['--'])).toEqual({ bannerFile: undefined, signIn: false });
    for (const args of [['--', '--env-file', 'b.env'], ['--env-file=b.env']]) {
      expect(() => parseArguments(args)).toThrow('--env-file is now --banner-file');
    }
  });
});

describe('demo-only endpoints and the request log in process', () => {
  it('are off unless asked for: the embedded tenant treats them as ISC paths (a token first)', async () => {
    const embedded = await startDemoTenant({ recordRequests: true });
    try {
      const response = await fetch(`${embedded.url}/__demo/stats`, { signal: AbortSignal.timeout(5_000) });
      expect(response.status).toBe(401);
      await response.arrayBuffer();
      expect(embedded.requests.map((r) => r.path)).toEqual(['/__demo/stats']);
      // A request without a token belongs to no client.
      expect(embedded.requestSummaries()).toEqual([
        { kind: 'api', method: 'GET', path: '/__demo/stats', at: expect.any(Number), status: 401, clientId: null },
      ]);
    } finally {
      await embedded.close();
    }
  });

  it('keeps the log bounded by maxRecordedRequests while the counters keep counting', async () => {
    const bounded = await startDemoTenant({ recordRequests: true, maxRecordedRequests: 10 });
    try {
      const authorization = `Bearer ${bounded.issueToken()}`;
      for (let i = 0; i < 30; i++) {
        const response = await fetch(`${bounded.url}/connectors/v1/c-${i}`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
      }
      expect(bounded.requests.length).toBeGreaterThanOrEqual(10);
      expect(bounded.requests.length).toBeLessThanOrEqual(11);
      expect(bounded.requests.at(-1)!.path).toBe('/connectors/v1/c-29');
      // Route templates, not paths: ids do not multiply the labels.
      expect(bounded.stats().apiByRoute).toEqual({ 'GET /connectors/:scriptName': { '404': 30 } });
    } finally {
      await bounded.close();
    }
  });

  it('answer loopback callers only', () => {
    for (const address of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1']) expect([address, isLoopback(address)]).toEqual([address, true]);
    for (const address of ['10.0.0.1', '192.168.1.2', '::ffff:10.1.2.3', '::', '0.0.0.0', 'fe80::1', undefined]) {
      expect([address, isLoopback(address)]).toEqual([address, false]);
    }
  });
});
