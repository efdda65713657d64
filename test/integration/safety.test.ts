import { afterEach, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import net from 'node:net';
import { gzipSync } from 'node:zlib';
import { loadConfig } from '../../src/config/index.js';
import { withoutSourceAppAdminRights } from '../../src/demo-tenant/source-apps.js';
import type { RunningGateway } from '../../src/gateway.js';
import { startFakeUpstream, rawJson, type FakeUpstream } from '../support/fake-upstream.js';
import { gatewayAgainst, startTestGateway, type TestGateway } from '../support/gateway.js';
import { metricSum } from '../support/metrics.js';
import { recordingLogger } from '../support/recording-logger.js';
import { code } from '../support/errors.js';

/**
 * Regression tests for the defects an outside review found (issue "Safety and correctness"): each
 * one failed on the code before its fix. Each prints the figure it measured.
 */
const KEY = 'safety-test-api-key';
const keyed = { 'x-api-key': KEY };

let gw: TestGateway | undefined;
let fake: FakeUpstream | undefined;
let raw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.close();
  await raw?.close();
  await fake?.close();
  gw = undefined;
  raw = undefined;
  fake = undefined;
});

function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[figures] ${name}: ${JSON.stringify(figures)}\n`);
}

/** A probe, bounded at 60 s: a loaded machine took over 20 s to answer the burst of 1,000 below. */
const readyz = (graphqlUrl: string) => fetch(graphqlUrl.replace('/graphql', '/readyz'), { signal: AbortSignal.timeout(60_000) });

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(20_000),
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** A gateway in front of a fake upstream, with the production rules (an API key for its own credentials). */
function gatewayFor(upstream: FakeUpstream, env: Record<string, string> = {}, logger = recordingLogger().logger): Promise<RunningGateway> {
  return gatewayAgainst({ url: upstream.url, clientId: 'fake-client', clientSecret: 'fake-client-secret' }, { SAIL_API_KEYS: KEY, ...env }, logger);
}

describe('1. /readyz costs anonymous callers nothing they can multiply', () => {
  it('1,000 concurrent probes against a 300 ms upstream make 1 ISC call and 1 token request', async () => {
    // The result is reused for 5 s by default; a loaded machine can take longer than that to send
    // and answer 1,000 probes, so here it is reused for the whole burst.
    gw = await startTestGateway({ SAIL_API_KEYS: KEY, SAIL_READINESS_INTERVAL_MS: '600000' }, { externalTenant: true });
    gw.tenant.setFaults({ latencyMs: 300 });
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () => readyz(gw!.url).then(async (r) => ({ status: r.status, body: await r.json() }))),
    );
    const figures = {
      probes: answers.length,
      ready: answers.filter((a) => a.status === 200).length,
      iscCalls: gw.tenant.requests.length,
      tokenRequests: gw.tenant.tokenRequests.length,
      seconds: (Date.now() - started) / 1000,
    };
    report('1,000 concurrent /readyz', figures);
    expect(figures).toMatchObject({ ready: 1000, iscCalls: 1, tokenRequests: 1 });
  }, 90_000);

  it('with refused credentials, 300 probes make 1 token request (the failure is reused)', async () => {
    // Reused for the whole run, however long a loaded machine takes for it (the default is 5 s).
    gw = await startTestGateway(
      { SAIL_API_KEYS: KEY, SAIL_READINESS_INTERVAL_MS: '600000' },
      { externalTenant: { clientSecret: 'not-the-secret-at-all' } },
    );
    const statuses = [];
    for (let round = 0; round < 3; round++) {
      statuses.push(...(await Promise.all(Array.from({ length: 100 }, () => readyz(gw!.url).then((r) => r.status)))));
    }
    report('300 /readyz with refused credentials', {
      probes: statuses.length,
      unready: statuses.filter((s) => s === 503).length,
      tokenRequests: gw.tenant.tokenRequests.length,
      iscCalls: gw.tenant.requests.length,
    });
    expect(statuses.every((s) => s === 503)).toBe(true);
    expect(gw.tenant.tokenRequests).toHaveLength(1);
    expect(gw.tenant.requests).toHaveLength(0);
  });

  it('a probe held open by ISC never makes a keyed query wait (one concurrency slot, 0 governor waits)', async () => {
    let releaseProbe: () => void = () => undefined;
    fake = await startFakeUpstream((_req, res, hit) => {
      if (hit.path === '/connector-customizers/v1') {
        releaseProbe = () => rawJson(res, 200, '[]');
        return;
      }
      if (hit.path === '/connectors/v1') return rawJson(res, 200, '[{"name":"AD","scriptName":"ad","type":"x"}]');
      rawJson(res, 404, '{}');
    });
    raw = await gatewayFor(fake, { SAIL_RATE_MAX_CONCURRENCY: '1' });
    const probe = readyz(raw.url);
    await fake.arrived('/connector-customizers/v1');
    const started = Date.now();
    const query = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
    const queryMs = Date.now() - started;
    const waits = await metricSum(raw.url, 'isc_gateway_governor_waits_total');
    releaseProbe();
    expect((await probe).status).toBe(200);
    report('keyed query behind a held probe', { queryMs, governorWaits: waits });
    expect(query.body.errors).toBeUndefined();
    expect(query.body.data.connectors.items).toEqual([{ scriptName: 'ad' }]);
    expect(waits).toBe(0);
  });

  it('is never answered from the response cache', async () => {
    gw = await startTestGateway({ SAIL_API_KEYS: KEY, SAIL_RESPONSE_CACHE: 'on', SAIL_READINESS_INTERVAL_MS: '100' }, { externalTenant: true });
    expect((await readyz(gw.url)).status).toBe(200);
    gw.tenant.setFaults({ rate500: 1 });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const second = await readyz(gw.url);
    expect(second.status).toBe(503); // a cached answer would have said "ready"
    expect(gw.tenant.requests.map((r) => r.status)).toEqual([200, 500]);
  });

  it('has a deadline of its own', async () => {
    fake = await startFakeUpstream(() => undefined); // ISC accepts the connection and never answers
    // An ISC call's own timeout is set beyond the probe's 60 s client abort: only the probe's
    // deadline can answer in time, and the answer names it.
    raw = await gatewayFor(fake, { SAIL_READINESS_TIMEOUT_MS: '300', SAIL_UPSTREAM_TIMEOUT_MS: '120000' });
    const started = Date.now();
    const first = await readyz(raw.url);
    const elapsed = Date.now() - started;
    report('readiness against a silent upstream', { answeredInMs: elapsed });
    expect(first.status).toBe(503);
    expect(await first.json()).toMatchObject({
      ready: false,
      checks: { upstream: 'no answer within 300 ms (SAIL_READINESS_TIMEOUT_MS)' },
    });
    expect(fake.hits.map((h) => h.path)).toEqual(['/connector-customizers/v1']); // one probe, not retried
  });
});

describe('2. waiting for a governor slot keeps to the operation deadline', () => {
  it('a query queued behind a held write answers DEADLINE_EXCEEDED at its deadline, while the write still holds the slot, not RATE_LIMITED later', async () => {
    let releaseWrite: () => void = () => undefined;
    fake = await startFakeUpstream((_req, res, hit) => {
      if (hit.method === 'POST' && hit.path === '/connector-customizers/v1') {
        // Held until the test lets it go: the write keeps the only concurrency slot until then.
        releaseWrite = () =>
          rawJson(res, 201, '{"id":"slow","name":"slow-write","imageVersion":1,"tenantID":"t","created":"2024-01-01T00:00:00.000Z"}');
        return;
      }
      rawJson(res, 404, '{}');
    });
    raw = await gatewayFor(fake, { SAIL_RATE_MAX_CONCURRENCY: '1', SAIL_OPERATION_TIMEOUT_MS: '1000' });
    const write = post(raw.url, { query: 'mutation { createConnectorCustomizer(input: { name: "slow-write" }) { id } }' }, keyed);
    write.catch(() => undefined); // awaited at the end; a failure before then must not leave it unhandled
    await fake.arrived('/connector-customizers/v1');
    const started = Date.now();
    const read = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
    const answeredInMs = Date.now() - started;
    const refusals = await metricSum(raw.url, 'isc_gateway_governor_refusals_total');
    const stillQueued = await metricSum(raw.url, 'isc_gateway_governor_queued_calls');
    report('queued behind a held write, 1 s deadline', { answeredInMs, code: read.body.errors?.[0]?.extensions?.code, refusals, stillQueued });
    expect(read.body.errors).toEqual([code('DEADLINE_EXCEEDED')]);
    expect(refusals).toBe(0); // the wait ended at the deadline, not with a RATE_LIMITED refusal
    expect(stillQueued).toBe(0); // and the read left the governor's queue then, while the write still held the slot
    // The read made no call of its own, and was answered while ISC still held the write (released only below).
    expect(fake.hits.map((h) => `${h.method} ${h.path}`)).toEqual(['POST /connector-customizers/v1']);
    // Not before its deadline either (load only makes the answer later).
    expect(answeredInMs).toBeGreaterThanOrEqual(950);
    releaseWrite();
    const written = await write;
    expect(written.body.errors).toBeUndefined(); // the write, once sent, runs to its answer
    expect(written.body.data).toEqual({ createConnectorCustomizer: { id: 'slow' } });
  });
});

describe('3. an upstream answer larger than the cap is cut, and the process lives', () => {
  const CAP = 1_048_576;
  const BODY = 4 * 1_048_576;

  /** Streams `total` bytes of a JSON array in 16 KiB chunks, one every 2 ms; records what was written when the connection closed. */
  function pacedAnswer(written: { bytes: number; closedAt?: number }) {
    return (req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16_384, 0x20);
      res.write('[');
      written.bytes = 1;
      res.once('close', () => (written.closedAt ??= written.bytes));
      const next = () => {
        if (res.destroyed || written.closedAt !== undefined) return;
        if (written.bytes >= BODY) return void res.end(']');
        res.write(chunk);
        written.bytes += chunk.length;
        setTimeout(next, 2);
      };
      next();
      void req;
    };
  }

  it('1 MiB cap, 4 MiB answer: UPSTREAM_RESPONSE_TOO_LARGE naming the cap; the connection is cut before cap + 64 KiB', async () => {
    const written: { bytes: number; closedAt?: number } = { bytes: 0 };
    fake = await startFakeUpstream(pacedAnswer(written));
    raw = await gatewayFor(fake, { SAIL_MAX_UPSTREAM_BODY_BYTES: String(CAP) });
    const r = await post(raw.url, { query: '{ connectors(limit: 5) { items { scriptName } } }' }, keyed);
    await new Promise((resolve) => setTimeout(resolve, 100));
    report('4 MiB answer, 1 MiB cap', { bytesWrittenWhenCut: written.closedAt, cap: CAP });
    expect(r.body.errors).toEqual([code('UPSTREAM_RESPONSE_TOO_LARGE')]);
    expect(r.body.errors[0].message).toContain(String(CAP));
    expect(r.body.errors[0].extensions.maxBytes).toBe(CAP);
    expect(written.closedAt).toBeDefined();
    expect(written.closedAt!).toBeLessThan(CAP + 65_536);
    expect((await post(raw.url, { query: '{ __typename }' }, keyed)).body.data).toEqual({ __typename: 'Query' });
  });

  it('counts decompressed bytes: a 4 MiB answer gzipped to a few KiB is refused too', async () => {
    const zipped = gzipSync(Buffer.from(`[${'"x",'.repeat(BODY / 4)}"x"]`));
    fake = await startFakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': zipped.length }).end(zipped);
    });
    raw = await gatewayFor(fake, { SAIL_MAX_UPSTREAM_BODY_BYTES: String(CAP) });
    const r = await post(raw.url, { query: '{ connectors(limit: 5) { items { scriptName } } }' }, keyed);
    report('gzipped answer', { compressedBytes: zipped.length, decompressedBytes: BODY + 2 });
    expect(r.body.errors).toEqual([code('UPSTREAM_RESPONSE_TOO_LARGE')]);
  });

  it('an answer that cannot be decoded (corrupt gzip) is a coded error, and the process lives', async () => {
    fake = await startFakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(Buffer.from('this is not gzip at all'));
    });
    raw = await gatewayFor(fake, { SAIL_RETRY_BASE_DELAY_MS: '5' });
    const r = await post(raw.url, { query: '{ connectors(limit: 5) { items { scriptName } } }' }, keyed);
    expect(r.body.errors).toEqual([code('UPSTREAM_ERROR')]);
    expect((await post(raw.url, { query: '{ __typename }' }, keyed)).body.data).toEqual({ __typename: 'Query' });
  });

  it('a declared Content-Length over the cap is refused before the body is read', async () => {
    fake = await startFakeUpstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(BODY) });
      res.write('['); // and then nothing: the gateway must not wait for the rest
    });
    // The rest never comes, and the call's timeouts are set beyond the client's 20 s abort: an
    // answer at all means the gateway refused on the header, and the code says it did.
    raw = await gatewayFor(fake, {
      SAIL_MAX_UPSTREAM_BODY_BYTES: String(CAP),
      SAIL_UPSTREAM_TIMEOUT_MS: '120000',
      SAIL_OPERATION_TIMEOUT_MS: '120000',
    });
    const r = await post(raw.url, { query: '{ connectors(limit: 5) { items { scriptName } } }' }, keyed);
    expect(r.body.errors).toEqual([code('UPSTREAM_RESPONSE_TOO_LARGE')]);
    expect(fake.hits).toHaveLength(1); // refused once, not retried
  });
});

describe('5. the cost estimate covers the per-id fallback of source-app lookups', () => {
  const aliases = (ids: string[]) => ids.map((id, i) => `a${i}: sourceApp(id: "${id}") { id name }`).join(' ');

  it('300 lookups by a caller the admin list refuses: refused up front (estimate 303), 0 ISC calls', async () => {
    gw = await startTestGateway({
      SAIL_RATE_LIMIT: '100',
      SAIL_RATE_WINDOW_MS: '10000',
      SAIL_OPERATION_TIMEOUT_MS: '5000',
      SAIL_MAX_ALIASES: '400',
      SAIL_MAX_ROOT_FIELDS: '400',
    });
    const token = gw.tenant.issueToken();
    withoutSourceAppAdminRights(token);
    const ids = Array.from({ length: 300 }, (_, i) => `app-${i}`);
    const r = await gw.gql(`{ ${aliases(ids)} }`, undefined, { authorization: `Bearer ${token}` });
    report('300 source-app lookups, caller without the admin list', {
      code: r.errors?.[0]?.extensions?.code,
      estimatedCalls: r.errors?.[0]?.extensions?.estimatedCalls,
      iscCalls: gw.calls().length,
    });
    expect(r.errors).toEqual([code('RATE_LIMITED')]);
    expect(r.errors![0].extensions).toMatchObject({ estimatedCalls: 303 });
    expect(gw.calls()).toHaveLength(0);
  });

  it('remembers the 403 for the caller: the next operation reads one by one at once, and its estimate says so', async () => {
    gw = await startTestGateway();
    const token = gw.tenant.issueToken();
    withoutSourceAppAdminRights(token);
    const apps = (await gw.gql('{ allSourceApps(limit: 3) { items { id } } }')).data!.allSourceApps.items.map((a: { id: string }) => a.id);
    const auth = { authorization: `Bearer ${token}` };
    gw.reset();
    const first = await gw.gql(`{ ${aliases(apps)} }`, undefined, auth);
    expect(first.errors).toBeUndefined();
    expect(gw.calls().map((c) => c.path)).toContain('/source-apps/v1/all');
    expect(gw.calls()).toHaveLength(1 + 3);
    gw.reset();
    const second = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ query: `{ ${aliases(apps)} }` }),
    });
    const body = (await second.json()) as any;
    expect(body.errors).toBeUndefined();
    expect(
      gw
        .calls()
        .map((c) => c.path)
        .sort(),
    ).toEqual(apps.map((id: string) => `/source-apps/v1/${id}`).sort());
    expect(body.extensions.cost.estimatedCalls).toBe(3);
  });
});

describe('6. Retry-After is clamped', () => {
  it('a 429 asking for a day pauses only SAIL_MAX_RETRY_AFTER_MS, logs the clamp, and ISC is called again after it', async () => {
    const { logger, records } = recordingLogger();
    const tenant = await (await import('../../src/demo-tenant/server.js')).startDemoTenant({ recordRequests: true });
    try {
      raw = await gatewayAgainst(tenant, { SAIL_API_KEYS: KEY, SAIL_MAX_RETRY_AFTER_MS: '1000', SAIL_RATE_LIMIT_WAIT_MS: '0' }, logger);
      tenant.setFaults({ rate429: 1, retryAfterSeconds: 86_400 });
      const limited = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
      expect(limited.body.errors).toEqual([code('RATE_LIMITED')]);
      expect(limited.body.errors[0].extensions.retryAfter).toBe(1);
      tenant.setFaults({});
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      tenant.clearRequests();
      const later = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
      report('429 with Retry-After: 86400, clamp 1 s', { laterErrors: later.body.errors?.length ?? 0, iscCallsAfterPause: tenant.requests.length });
      expect(later.body.errors).toBeUndefined();
      expect(tenant.requests).toHaveLength(1);
      expect(records).toContainEqual(
        expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ retryAfterMs: 86_400_000, pauseMs: 1000, route: 'connectors' }) }),
      );
    } finally {
      await raw?.close();
      raw = undefined;
      await tenant.close();
    }
  });
});

describe('7. no redirects, and https for anything but loopback', () => {
  it('a 307 from the token endpoint is an error naming the target origin; the client secret goes nowhere else', async () => {
    const elsewhere = await startFakeUpstream(() => undefined, { token: (_req, res) => void res.writeHead(200).end('{}') });
    try {
      fake = await startFakeUpstream(() => undefined, {
        token: (_req, res) => void res.writeHead(307, { location: `${elsewhere.url.replace('127.0.0.1', 'localhost')}/oauth/token?steal=1` }).end(),
      });
      raw = await gatewayFor(fake);
      const r = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
      report('307 from the token endpoint', {
        code: r.body.errors?.[0]?.extensions?.code,
        requestsElsewhere: elsewhere.tokenHits.length + elsewhere.hits.length,
      });
      expect(r.body.errors).toEqual([code('UPSTREAM_ERROR')]);
      expect(r.body.errors[0].message).toContain(`redirect to ${new URL(elsewhere.url.replace('127.0.0.1', 'localhost')).origin}`);
      expect(r.body.errors[0].message).not.toContain('steal');
      expect(elsewhere.tokenHits.length + elsewhere.hits.length).toBe(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('a redirect from an API call is an error, not followed (the bearer stays with ISC)', async () => {
    const elsewhere = await startFakeUpstream((_req, res) => rawJson(res, 200, '[]'));
    try {
      fake = await startFakeUpstream((_req, res) => void res.writeHead(302, { location: `${elsewhere.url}/connectors/v1` }).end());
      raw = await gatewayFor(fake);
      const r = await post(raw.url, { query: '{ connectors(limit: 1) { items { scriptName } } }' }, keyed);
      expect(r.body.errors).toEqual([code('UPSTREAM_ERROR')]);
      expect(r.body.errors[0].message).toContain(`redirect to ${elsewhere.url}`);
      expect(elsewhere.hits).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses http:// for a non-loopback host unless SAIL_ALLOW_INSECURE_HTTP=on', () => {
    const env = { SAIL_CLIENT_ID: 'c', SAIL_CLIENT_SECRET: 's' };
    expect(() => loadConfig({ ...env, SAIL_BASE_URL: 'http://acme.api.identitynow.com' })).toThrow(/must be https:\/\/.*SAIL_ALLOW_INSECURE_HTTP/);
    expect(loadConfig({ ...env, SAIL_BASE_URL: 'http://acme.api.identitynow.com', SAIL_ALLOW_INSECURE_HTTP: 'on' }).upstream.baseUrl).toBe(
      'http://acme.api.identitynow.com',
    );
    for (const url of ['https://acme.api.identitynow.com', 'http://127.0.0.1:4010', 'http://localhost:4010', 'http://[::1]:4010']) {
      expect(loadConfig({ ...env, SAIL_BASE_URL: url }).upstream.baseUrl).toBe(url);
    }
  });

  it('with SAIL_ALLOW_INSECURE_HTTP=on, starting against a non-loopback http:// host logs one warning naming the host; a loopback one none', async () => {
    const warnings = async (baseUrl: string) => {
      const { logger, records } = recordingLogger();
      const gateway = await gatewayAgainst(
        { url: baseUrl, clientId: 'c', clientSecret: 'insecure-test-secret' },
        { SAIL_ALLOW_INSECURE_HTTP: 'on', SAIL_API_KEYS: 'k' },
        logger,
      );
      await gateway.close();
      return records.filter((r) => r.level === 'warn' && r.msg.includes('SAIL_ALLOW_INSECURE_HTTP'));
    };
    expect(await warnings('http://isc.example.invalid')).toEqual([
      {
        level: 'warn',
        msg: 'SAIL_ALLOW_INSECURE_HTTP=on: ISC calls and the client secret travel over plain http',
        fields: { host: 'isc.example.invalid' },
      },
    ]);
    expect(await warnings('http://127.0.0.1:4010')).toEqual([]);
  });
});

describe('9. each operation of a batch has its own context', () => {
  it('a query batched behind {__typename} against a hung ISC still answers at its own deadline', async () => {
    // ISC never answers and the call's own timeout is beyond the client's 20 s abort: only the
    // second operation's deadline can end it (with one context per batch, the first operation
    // finishing took the deadline with it).
    gw = await startTestGateway({ SAIL_MAX_BATCH_OPERATIONS: '2', SAIL_OPERATION_TIMEOUT_MS: '1000', SAIL_UPSTREAM_TIMEOUT_MS: '120000' });
    gw.tenant.setFaults({ hangRate: 1 });
    const started = Date.now();
    const r = await post(gw.url, [{ query: '{ __typename }' }, { query: '{ connectors(limit: 1) { items { scriptName } } }' }]);
    const answeredInMs = Date.now() - started;
    report('batched query against a hung ISC, 1 s deadline', { answeredInMs });
    expect(r.body[0].data).toEqual({ __typename: 'Query' });
    expect(r.body[1].errors).toEqual([code('DEADLINE_EXCEEDED')]);
    // One call, still unanswered: the answer came from the deadline, not from ISC or a retry.
    expect(gw.tenant.requests.map((c) => [c.path, c.status])).toEqual([['/connectors/v1', undefined]]);
    expect(answeredInMs).toBeGreaterThanOrEqual(950); // at its deadline, not before (load only makes it later)
  });
});

describe('10. a retried DELETE whose first attempt was applied', () => {
  it('answers true for a Boolean delete (not NOT_FOUND)', async () => {
    gw = await startTestGateway({ SAIL_RETRY_BASE_DELAY_MS: '5' });
    const id = (await gw.gql('{ connectorCustomizers(limit: 1) { items { id } } }')).data!.connectorCustomizers.items[0].id;
    gw.reset();
    gw.tenant.setFaults({ dropAnswersAfterApply: 1 });
    const r = await gw.gql('mutation($id: ID!) { deleteConnectorCustomizer(id: $id) }', { id });
    report('DELETE applied, answer lost, retried', { calls: gw.calls().map((c) => c.method), errors: r.errors?.length ?? 0 });
    expect(r.errors).toBeUndefined();
    expect(r.data).toEqual({ deleteConnectorCustomizer: true });
    expect(gw.calls().map((c) => `${c.method} ${c.path}`)).toEqual([
      `DELETE /connector-customizers/v1/${id}`,
      `DELETE /connector-customizers/v1/${id}`,
    ]);
    expect((await gw.gql('query($id: ID!) { connectorCustomizer(id: $id) { id } }', { id })).data).toEqual({ connectorCustomizer: null });
  });

  it('deleteSourceApp, which answers the deleted app, answers UPSTREAM_OUTCOME_UNKNOWN saying the app is gone', async () => {
    gw = await startTestGateway({ SAIL_RETRY_BASE_DELAY_MS: '5' });
    const id = (await gw.gql('{ allSourceApps(limit: 1) { items { id } } }')).data!.allSourceApps.items[0].id;
    gw.tenant.setFaults({ dropAnswersAfterApply: 1 });
    const r = await gw.gql('mutation($id: ID!) { deleteSourceApp(id: $id) { id } }', { id });
    expect(r.errors).toEqual([code('UPSTREAM_OUTCOME_UNKNOWN')]);
    expect(r.errors![0].message).toMatch(/deleted by an earlier attempt.*can no longer be read/);
    expect((await gw.gql('query($id: ID!) { sourceApp(id: $id) { id } }', { id })).data).toEqual({ sourceApp: null });
  });
});

describe('11. Long keeps every digit', () => {
  it('int64 values above 2^53 from a raw ISC answer arrive exactly (as strings, per the Long scalar)', async () => {
    fake = await startFakeUpstream((_req, res, hit) => {
      if (hit.path === '/connector-customizers/v1/big') {
        return rawJson(res, 200, '{"id":"big","name":"n","imageVersion":9007199254740993,"tenantID":"t","created":"2024-01-01T00:00:00.000Z"}');
      }
      if (hit.path === '/connector-customizers/v1/small') return rawJson(res, 200, '{"id":"small","name":"n","imageVersion":42}');
      rawJson(res, 404, '{}');
    });
    raw = await gatewayFor(fake);
    const r = await post(
      raw.url,
      { query: '{ big: connectorCustomizer(id: "big") { imageVersion } small: connectorCustomizer(id: "small") { imageVersion } }' },
      keyed,
    );
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ big: { imageVersion: '9007199254740993' }, small: { imageVersion: 42 } });
  });
});

describe("contract: ISC's error detail", () => {
  it('keeps every entry of messages[] and causes[] in the error extensions, at most 10 of at most 1,000 characters, with status and trackingId', async () => {
    const entry = (i: number) => ({ locale: 'en-US', localeOrigin: 'DEFAULT', text: `problem ${i}` });
    const body = {
      detailCode: '400.1 Bad Request Content',
      trackingId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
      messages: [{ locale: 'en-US', text: 'x'.repeat(1_500) }, ...Array.from({ length: 11 }, (_, i) => entry(i))],
      causes: [entry(100)],
    };
    fake = await startFakeUpstream((_req, res) => rawJson(res, 400, JSON.stringify(body)));
    raw = await gatewayFor(fake);
    const r = await post(raw.url, { query: '{ connectorCustomizer(id: "bad") { id } }' }, keyed);
    const extensions = r.body.errors?.[0].extensions;
    expect(extensions).toMatchObject({ code: 'BAD_USER_INPUT', httpStatus: 400, trackingId: body.trackingId, detailCode: body.detailCode });
    expect(extensions.messages).toEqual([
      { locale: 'en-US', text: `${'x'.repeat(999)}…` },
      ...Array.from({ length: 9 }, (_, i) => ({ locale: 'en-US', text: `problem ${i}` })),
    ]);
    expect(extensions.causes).toEqual([{ locale: 'en-US', text: 'problem 100' }]);
  });
});

describe('12. smaller ones', () => {
  it('an identifier or filter value with a lone surrogate is BAD_USER_INPUT before any call', async () => {
    gw = await startTestGateway();
    const lone = 'ab\uD800cd';
    for (const [query, variables] of [
      ['query($id: ID!) { sourceApp(id: $id) { id } }', { id: lone }],
      ['query($id: ID!) { connector(scriptName: $id) { name } }', { id: lone }],
      ['query($id: ID!) { connectorCustomizer(id: $id) { name } }', { id: lone }],
      ['query($v: String!) { connectors(filter: { nameContains: $v }) { items { name } } }', { v: lone }],
    ] as const) {
      const r = await gw.gql(query, variables);
      expect({ query, errors: r.errors }).toEqual({ query, errors: [code('BAD_USER_INPUT')] });
    }
    expect(gw.calls()).toHaveLength(0);
  });

  it('a client that writes a 5 MB body before reading gets the 413 answer, not a reset', async () => {
    gw = await startTestGateway();
    const { hostname, port } = new URL(gw.url);
    const body = Buffer.alloc(5 * 1_000_000, 0x20);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(port), hostname);
      const chunks: Buffer[] = [];
      socket.setTimeout(20_000, () => socket.destroy(new Error('timeout')));
      socket.on('error', reject);
      socket.write(`POST /graphql HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`);
      // Reads only once the whole body is written, as simple clients do.
      socket.write(body, () => {
        socket.on('data', (chunk: Buffer) => chunks.push(chunk));
        socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      });
    });
    expect(answer).toMatch(/^HTTP\/1\.1 413/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ errors: [code('BAD_REQUEST')] });
  });

  it('token requests after refused credentials back off (1 s, then 2 s, 4 s…) however many operations ask', async () => {
    gw = await startTestGateway({ SAIL_API_KEYS: KEY }, { externalTenant: { clientSecret: 'not-the-secret-at-all' } });
    const started = Date.now();
    for (let i = 0; i < 50; i++) {
      const r = await gw.gql('{ connectors(limit: 1) { items { scriptName } } }', undefined, keyed);
      expect(r.errors).toEqual([code('UNAUTHENTICATED')]);
    }
    const at = gw.tenant.tokenRequests.map((r) => r.at);
    report('50 operations with refused credentials', { tokenRequests: at.length, seconds: (Date.now() - started) / 1000 });
    expect(at.length).toBeGreaterThanOrEqual(1);
    // Each request waited out its backoff: load can only stretch the gaps, never shorten them.
    at.slice(1).forEach((t, i) => expect(t - at[i]).toBeGreaterThanOrEqual(1000 * 2 ** i - 50));
    expect(at.length).toBeLessThanOrEqual(1 + Math.ceil(Math.log2((Date.now() - started) / 1000 + 1)));
  });

  it('operation names of unverified callers never take the metric label slots', async () => {
    gw = await startTestGateway({ SAIL_API_KEYS: KEY }, { externalTenant: true });
    for (let i = 0; i < 150; i++) await gw.gql(`query Flood${i} { __typename }`, undefined, { authorization: `Bearer forged-token-${i}` });
    await gw.gql('query ListConnectors { connectors(limit: 1) { items { scriptName } } }', undefined, keyed);
    const text = await (await fetch(gw.url.replace('/graphql', '/metrics'))).text();
    expect(text).toContain('operation_name="ListConnectors"');
    expect(text).not.toMatch(/operation_name="Flood\d+"/);
  });

  it('/metrics behind SAIL_METRICS_TOKEN refuses an unauthenticated scrape', async () => {
    const token = 'metrics-scrape-token-0123456789';
    gw = await startTestGateway({ SAIL_METRICS_TOKEN: token });
    const metrics = gw.url.replace('/graphql', '/metrics');
    const anonymous = await fetch(metrics);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.text()).not.toContain('isc_gateway_');
    expect((await fetch(metrics, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const scraped = await fetch(metrics, { headers: { authorization: `Bearer ${token}` } });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('isc_gateway_graphql_operations_total');
  });

  it('/metrics on SAIL_METRICS_PORT only, off the public listener', async () => {
    gw = await startTestGateway({ SAIL_METRICS_PORT: '0' });
    expect((await fetch(gw.url.replace('/graphql', '/metrics'))).status).toBe(404);
    const scraped = await fetch(gw.gateway.metricsUrl!);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('isc_gateway_graphql_operations_total');
  });
});
