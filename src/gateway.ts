import type { AddressInfo } from 'node:net';
import got from 'got';
import type { Config } from './config.js';
import { startDemoTenant, type DemoTenant } from './demo-tenant/server.js';
import { createRateGovernor } from './http/governor.js';
import { createIscClient, unboundedScope } from './http/isc-client.js';
import { clientCredentialsExchange, createTokenProvider } from './http/token-provider.js';
import { createHttpGateway, type Readiness } from './server.js';

export interface RunningGateway {
  url: string;
  /** Present when no `SAIL_BASE_URL` was configured. */
  demoTenant: DemoTenant | undefined;
  close(): Promise<void>;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/** Probes ISC at most once per interval however often /readyz is polled; a failure is not cached. */
function cachedReadiness(probe: () => Promise<Readiness>, intervalMs = 10_000): () => Promise<Readiness> {
  let last: { at: number; result: Readiness } | undefined;
  return async () => {
    if (last && last.result.ready && Date.now() - last.at < intervalMs) return last.result;
    const result = await probe();
    last = { at: Date.now(), result };
    return result;
  };
}

/** Wires config → (demo tenant) → token provider → ISC client → HTTP server, and listens. */
export async function startGateway(config: Config, log: (line: string) => void = () => undefined): Promise<RunningGateway> {
  const demoTenant = config.baseUrl ? undefined : await startDemoTenant({ apiPrefix: config.apiPrefix });
  const baseUrl = config.baseUrl ?? demoTenant!.url;
  const clientId = demoTenant?.clientId ?? config.clientId ?? '';
  const clientSecret = demoTenant?.clientSecret ?? config.clientSecret ?? '';
  if (demoTenant) log(`No SAIL_BASE_URL set: serving the built-in demo tenant (${demoTenant.url}) with demo data`);

  const tokens = createTokenProvider(clientCredentialsExchange(got, `${baseUrl}/oauth/token`, clientId, clientSecret));
  const governor = createRateGovernor({
    limit: config.rateLimit,
    windowMs: config.rateWindowMs,
    maxConcurrency: config.rateMaxConcurrency,
    maxQueue: config.rateMaxQueue,
  });
  const client = createIscClient({
    apiUrl: `${baseUrl}${config.apiPrefix}`,
    timeoutMs: config.upstreamTimeoutMs,
    tokens,
    clientId,
    governor,
    retry: { maxAttempts: config.retryAttempts, baseDelayMs: config.retryBaseDelayMs, maxDelayMs: 5_000 },
    breaker: {
      errorThresholdPercentage: config.breakerErrorPercent,
      volumeThreshold: config.breakerVolume,
      resetTimeoutMs: config.breakerResetMs,
      rollingWindowMs: 10_000,
    },
  });
  const { httpServer, apollo, markShuttingDown } = await createHttpGateway({
    config,
    client,
    governor,
    readiness: cachedReadiness(async (): Promise<Readiness> => {
      if (!client.breakerClosed()) return { ready: false, checks: { upstream: 'circuit open after repeated failures' } };
      if (config.authMode === 'passthrough') return { ready: true, checks: { upstream: 'circuit closed' } };
      try {
        // A one-item read: proves a token can be obtained and ISC answers, at the cost of one call.
        await client.send({ kind: 'client-credentials' }, { method: 'GET', path: 'connector-customizers', searchParams: { limit: 1 } }, unboundedScope());
        return { ready: true, checks: { token: 'ok', upstream: 'ok' } };
      } catch (error) {
        return { ready: false, checks: { upstream: (error as Error).message } };
      }
    }),
    auth: {
      authMode: config.authMode,
      apiKeys: config.apiKeys,
      openDemo: demoTenant !== undefined && LOOPBACK_HOSTS.has(config.host),
    },
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, resolve);
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return {
    url: `http://${host}:${port}/graphql`,
    demoTenant,
    async close() {
      await apollo.stop(); // drains and closes the HTTP server
      await demoTenant?.close();
    },
  };
}
