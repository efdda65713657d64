import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRateGovernor } from '../../src/isc/governor.js';
import { bindUpstream, createIscClient } from '../../src/isc/client.js';

/**
 * The ISC client's attempt counting against a scripted upstream: each request gets the next status
 * of the script, so the sequences that random fault injection only sometimes produces are exact here.
 */
let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function scriptedUpstream(statuses: number[]): Promise<{ url: string; served: () => number }> {
  let served = 0;
  server = createServer((req, res) => {
    const status = statuses[Math.min(served++, statuses.length - 1)];
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (status === 429) headers['retry-after'] = '0';
    res.writeHead(status, headers).end(status < 400 ? '{"id":"c1"}' : `{"detailCode":"${status}","trackingId":"t${served}"}`);
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served: () => served };
}

function upstreamAt(baseUrl: string, maxAttempts: number) {
  const client = createIscClient({
    baseUrl,
    timeoutMs: 2000,
    tokens: { getToken: async () => 'token', invalidate: () => undefined },
    // A short window: a 429 with no call ahead of it teaches a limit of 1 call a window (learned-limit.ts),
    // so each later attempt waits for the window; the attempts counted are what these tests are about.
    governor: createRateGovernor({ limit: 100, windowMs: 100, maxConcurrency: 4, maxQueue: 10 }),
    retry: { maxAttempts, baseDelayMs: 1, maxDelayMs: 2 },
    breaker: { errorThresholdPercentage: 50, volumeThreshold: 1000, resetTimeoutMs: 1000, rollingWindowMs: 10_000 },
  });
  return bindUpstream(client, { kind: 'client-credentials' });
}

describe('ISC client attempts', () => {
  it('does not count 429s against the attempts allowed for 503s', async () => {
    const upstream = await scriptedUpstream([429, 429, 429, 429, 503, 503, 200]);
    const response = await upstreamAt(upstream.url, 3).send({ method: 'GET', path: 'connectors/c1' });
    expect(response).toMatchObject({ status: 200, body: { id: 'c1' } });
    expect(upstream.served()).toBe(7);
  });

  it('gives up on a GET after the allowed 503 attempts, keeping the status and trackingId', async () => {
    const upstream = await scriptedUpstream([429, 503, 503, 503, 200]);
    const failure = upstreamAt(upstream.url, 3).send({ method: 'GET', path: 'connectors/c1' });
    await expect(failure).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ERROR', httpStatus: 503, trackingId: 't4' } });
    expect(upstream.served()).toBe(4);
  });

  it('never retries a POST on 503, also after a 429', async () => {
    const upstream = await scriptedUpstream([429, 503, 200]);
    const failure = upstreamAt(upstream.url, 3).send({ method: 'POST', path: 'connectors', json: { name: 'x' } });
    await expect(failure).rejects.toMatchObject({ extensions: { code: 'UPSTREAM_ERROR', httpStatus: 503 } });
    expect(upstream.served()).toBe(2);
  });
});
