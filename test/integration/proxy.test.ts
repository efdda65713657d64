import { execFileSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '../../src/config/index.js';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { startGateway, type RunningGateway } from '../../src/gateway.js';
import { postGraphQL, spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { startConnectProxy, type TestProxy } from '../support/connect-proxy.js';

/**
 * Outbound proxy: every ISC call and the token request go through `HTTP_PROXY` / `HTTPS_PROXY`
 * (a CONNECT proxy written here), unless `NO_PROXY` names the tenant's host. The tenant is given
 * a host name that does not resolve (`isc-tenant.test`, a reserved TLD) which only the proxy maps
 * to loopback: a call that went around the proxy could not have reached it.
 */
const TENANT_HOST = 'isc-tenant.test';
const API_KEY = 'proxy-test-api-key';
const LIST = '{ connectors(limit: 2) { items { scriptName } } }';
const OAUTH_LIST = '{ oauthClients { id name } }';

function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[figures] ${name}: ${JSON.stringify(figures)}\n`);
}

let tenant: DemoTenant;
let proxy: TestProxy;
let gateway: RunningGateway | undefined;
beforeAll(async () => {
  tenant = await startDemoTenant({ recordRequests: true, clientSecret: 'proxy-test-client-secret' });
  proxy = await startConnectProxy({ hosts: { [TENANT_HOST]: '127.0.0.1' } });
});
afterAll(async () => {
  await proxy.close();
  await tenant.close();
});
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
  tenant.clearRequests();
  tenant.setFaults({});
  proxy.reset();
});

const tenantPort = () => new URL(tenant.url).port;

async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  gateway = await startGateway(
    loadConfig({
      SAIL_PORT: '0',
      SAIL_HOST: '127.0.0.1',
      SAIL_RATE_LIMIT: '100000',
      SAIL_RATE_WINDOW_MS: '1000',
      SAIL_CLIENT_ID: tenant.clientId,
      SAIL_CLIENT_SECRET: tenant.clientSecret,
      SAIL_API_KEYS: API_KEY,
      ...env,
    }),
  );
  return gateway;
}

const ask = (gw: RunningGateway, query: string) => postGraphQL(gw.url, query, undefined, { 'x-api-key': API_KEY });

describe('HTTP_PROXY (plain-HTTP tenant)', () => {
  it('sends every ISC call and every token request through the proxy, with its credentials', async () => {
    await expect(lookup(TENANT_HOST)).rejects.toThrow(); // the premise: only the proxy can reach it
    const gw = await gatewayWith({
      SAIL_BASE_URL: `http://${TENANT_HOST}:${tenantPort()}`,
      SAIL_ALLOW_INSECURE_HTTP: 'on', // a plain-HTTP tenant behind a test proxy
      HTTP_PROXY: `http://gw-user:pa55-w0rd@127.0.0.1:${proxy.port}`,
    });

    const answers = [await ask(gw, LIST), await ask(gw, OAUTH_LIST)];
    tenant.expireAllTokens(); // the next call gets a 401: the gateway fetches a new token, through the proxy too
    answers.push(await ask(gw, LIST));
    for (const answer of answers) {
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toBeTruthy();
    }

    const upstreamRequests = tenant.requests.length + tenant.tokenRequests.length;
    expect(tenant.tokenRequests).toHaveLength(2);
    expect(tenant.requests.length).toBeGreaterThanOrEqual(4); // 3 operations + the refused (401) call
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`${TENANT_HOST}:${tenantPort()}`]));
    expect(proxy.tunnelledRequests).toHaveLength(upstreamRequests);
    expect(proxy.tunnelledRequests.filter((line) => line.startsWith('POST /oauth/token '))).toHaveLength(2);
    expect(new Set(proxy.proxyAuthorizations)).toEqual(new Set([`Basic ${Buffer.from('gw-user:pa55-w0rd').toString('base64')}`]));
    report('outbound proxy (http)', {
      operations: answers.length,
      upstreamRequests,
      tokenRequests: tenant.tokenRequests.length,
      requestsThroughProxy: proxy.tunnelledRequests.length,
      tunnels: proxy.tunnels.length,
    });
  });

  it('goes direct when NO_PROXY names the tenant host, and through the proxy when only another port is named', async () => {
    const direct = await gatewayWith({ SAIL_BASE_URL: tenant.url, HTTP_PROXY: proxy.url, NO_PROXY: `example.com, 127.0.0.1` });
    expect((await ask(direct, LIST)).errors).toBeUndefined();
    expect(tenant.tokenRequests).toHaveLength(1);
    expect(tenant.requests).toHaveLength(1);
    expect(proxy.tunnels).toEqual([]);
    expect(proxy.plainRequests).toEqual([]);
    await direct.close();
    gateway = undefined;

    // Control: the same settings with NO_PROXY naming another port do use the proxy.
    tenant.clearRequests();
    const viaProxy = await gatewayWith({ SAIL_BASE_URL: tenant.url, HTTP_PROXY: proxy.url, NO_PROXY: `127.0.0.1:${Number(tenantPort()) + 1}` });
    expect((await ask(viaProxy, LIST)).errors).toBeUndefined();
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(proxy.tunnelledRequests).toHaveLength(2); // token + one API call
  });
});

/**
 * The https path, end to end, in a gateway process of its own (Node reads NODE_EXTRA_CA_CERTS at
 * start): gateway → HTTPS_PROXY (CONNECT) → TLS to `isc-tenant.test` with a certificate signed by
 * a throwaway CA that only NODE_EXTRA_CA_CERTS makes trusted → the demo tenant.
 */
describe('HTTPS_PROXY and NODE_EXTRA_CA_CERTS (https tenant)', () => {
  let dir: string;
  let tlsServer: tls.Server;
  let tlsPort: number;
  let child: ChildGateway | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gateway-ca-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '2',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        `/CN=${TENANT_HOST}`,
        '-addext',
        `subjectAltName=DNS:${TENANT_HOST}`,
      ],
      { stdio: 'ignore', timeout: 10_000 },
    );
    // TLS in front of the (plain-HTTP) demo tenant.
    tlsServer = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (socket) => {
      const upstream = net.connect(Number(tenantPort()), '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsPort = (tlsServer.address() as AddressInfo).port;
  });
  afterEach(() => {
    child?.kill();
    child = undefined;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const childEnv = (extra: Record<string, string>) => ({
    SAIL_BASE_URL: `https://${TENANT_HOST}:${tlsPort}`,
    SAIL_CLIENT_ID: tenant.clientId,
    SAIL_CLIENT_SECRET: tenant.clientSecret,
    SAIL_API_KEYS: API_KEY,
    HTTPS_PROXY: proxy.url,
    ...extra,
  });

  it('reaches an https tenant through the proxy, trusting the CA from NODE_EXTRA_CA_CERTS', async () => {
    child = await spawnGateway(childEnv({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') }));
    const answer = await postGraphQL(child.url, LIST, undefined, { 'x-api-key': API_KEY });
    expect(answer.errors).toBeUndefined();
    expect(answer.data).toEqual({ connectors: { items: [expect.anything(), expect.anything()] } });
    expect(tenant.tokenRequests).toHaveLength(1);
    expect(tenant.requests).toHaveLength(1);
    expect(new Set(proxy.tunnels)).toEqual(new Set([`${TENANT_HOST}:${tlsPort}`]));
    expect(proxy.tunnelledRequests).toEqual([]); // TLS end to end: the proxy sees no request line
    report('outbound proxy (https)', { tunnels: proxy.tunnels.length, upstreamRequests: tenant.requests.length + tenant.tokenRequests.length });
    // The child's start (spawnGateway waits up to 60 s on a loaded machine), then the test.
  }, 80_000);

  it('refuses the tenant certificate without NODE_EXTRA_CA_CERTS (the agents add no CA of their own)', async () => {
    child = await spawnGateway(childEnv({}));
    const answer = await postGraphQL(child.url, LIST, undefined, { 'x-api-key': API_KEY });
    expect(answer.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(answer.errors?.[0]?.message).toMatch(/CERT|SIGNATURE/);
    expect(proxy.tunnels.length).toBeGreaterThanOrEqual(1);
    expect(tenant.tokenRequests).toEqual([]);
    // The child's start (spawnGateway waits up to 60 s on a loaded machine), then the test.
  }, 80_000);
});
