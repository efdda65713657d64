import { describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import { createAgents } from '../../src/isc/agents.js';
import { unboundedScope } from '../../src/isc/client.js';
import { createRateGovernor } from '../../src/isc/governor.js';
import { compose } from '../../src/isc/pipeline.js';
import { circuitBreaker } from '../../src/isc/stages/breaker.js';
import { observeAttempts, observeCalls } from '../../src/isc/stages/observe.js';
import { operationReads } from '../../src/isc/stages/operation-reads.js';
import { outcome } from '../../src/isc/stages/outcome.js';
import { rateGoverned } from '../../src/isc/stages/rate.js';
import { retryPolicy } from '../../src/isc/stages/retry.js';
import { renewsRefusedToken, sendsCurrentToken } from '../../src/isc/stages/token.js';
import { AnswerTooLarge, transport } from '../../src/isc/stages/transport.js';
import type { IscCall, Next } from '../../src/isc/types.js';
import { code } from '../support/errors.js';
import { answer, call, scripted, transportError } from '../support/stage-calls.js';

/** Each stage of the ISC pipeline alone, with a fake `next` that records what reached it and answers from a script. */

describe('operationReads', () => {
  it('makes each GET once per operation, forgets the collection on a write, and answers primed reads', async () => {
    const next = scripted(answer(200, { n: 1 }));
    const scope = unboundedScope();
    const read = call({ path: 'connectors/a' }, { scope });
    const [first, second] = await Promise.all([operationReads(read, next), operationReads(read, next)]);
    expect(first).toBe(second);
    expect(next.seen).toHaveLength(1);
    await operationReads(call({ method: 'POST', path: 'connectors' }, { scope }), next);
    await operationReads(read, next);
    expect(next.seen.map((c) => c.request.method)).toEqual(['GET', 'POST', 'GET']);
    scope.reads!.prime({ method: 'GET', path: 'connectors/b' }, { primed: true });
    expect((await operationReads(call({ path: 'connectors/b' }, { scope }), next)).body).toEqual({ primed: true });
    expect(next.seen).toHaveLength(3);
  });

  it('keeps the reads of other collections across a write, and passes calls with no operation through', async () => {
    const next = scripted(answer(200));
    const scope = unboundedScope();
    await operationReads(call({ path: 'oauth-clients/x' }, { scope }), next);
    await operationReads(call({ method: 'DELETE', path: 'connectors/a' }, { scope }), next);
    await operationReads(call({ path: 'oauth-clients/x' }, { scope }), next);
    expect(next.seen).toHaveLength(2);
    const outside = call({}, { scope: { ...unboundedScope(), reads: undefined } });
    await operationReads(outside, next);
    await operationReads(outside, next);
    expect(next.seen).toHaveLength(4);
  });
});

describe('observeCalls and observeAttempts', () => {
  it('tell each observer of the start, each attempt (with headers it may add) and the end', async () => {
    const events: string[] = [];
    const observer = {
      start: ({ route }: { route: string }) => ({
        attempt: (a: { attempt: number }, headers: Record<string, string>) => {
          headers.traceparent = `trace-${a.attempt}`;
          events.push(`attempt ${a.attempt}`);
          return (o: { status?: number }) => events.push(`outcome ${o.status}`);
        },
        end: (e: { status?: number; error?: unknown }) => events.push(`end ${route} ${e.status ?? errorCodeOf(e.error)}`),
      }),
    };
    const next = scripted(answer(200));
    const pipeline = compose([observeCalls([observer]), observeAttempts], next);
    await pipeline(call());
    expect(events).toEqual(['attempt 1', 'outcome 200', 'end connectors 200']);
    expect(next.seen[0].headers).toMatchObject({ traceparent: 'trace-1' });
    const failing = compose([observeCalls([observer]), observeAttempts], scripted(transportError('ECONNRESET')));
    await expect(failing(call())).rejects.toThrow('ECONNRESET');
    expect(events.slice(3)).toEqual(['attempt 1', 'outcome undefined', 'end connectors ECONNRESET']);
  });

  it('cost nothing when no observer watches the call', async () => {
    const original = call();
    let received: IscCall | undefined;
    await compose([observeCalls([{ start: () => undefined }]), observeAttempts], async (c) => ((received = c), answer(200)))(original);
    expect(received).toBe(original);
  });
});

function errorCodeOf(error: unknown): string {
  return (error as { code?: string }).code ?? 'error';
}

describe('outcome', () => {
  it('answers successes without secrets (unless kept) and maps error statuses to coded errors with ISC detail', async () => {
    expect((await outcome(call(), scripted(answer(200, [{ id: 'a', secret: 's' }])))).body).toEqual([{ id: 'a' }]);
    expect((await outcome(call({ method: 'POST', keepSecret: true }), scripted(answer(201, { id: 'a', secret: 's' })))).body).toEqual({
      id: 'a',
      secret: 's',
    });
    await expect(outcome(call(), scripted(answer(404, { trackingId: 't1', messages: [{ text: 'gone', locale: 'en-US' }] })))).rejects.toMatchObject({
      extensions: { code: 'NOT_FOUND', httpStatus: 404, trackingId: 't1', messages: [{ text: 'gone', locale: 'en-US' }] },
    });
    await expect(outcome(call(), scripted({ ...answer(429), retryAfterMs: 2_500 }))).rejects.toMatchObject({
      extensions: { code: 'RATE_LIMITED', retryAfter: 3 },
    });
    await expect(outcome(call(), scripted(answer(307, '', { location: 'https://elsewhere.example/x?y=1' })))).rejects.toThrow(
      /redirect to https:\/\/elsewhere\.example;/,
    );
  });
});

describe('retryPolicy', () => {
  const policy = retryPolicy({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 2 }, 'https://acme.api.identitynow.com');

  it('retries an idempotent call on 503 up to the attempts allowed, numbering each attempt, then passes the answer up', async () => {
    const next = scripted(answer(503), answer(503), answer(503), answer(200));
    expect((await policy(call(), next)).status).toBe(503);
    expect(next.seen.map((c) => c.attempt)).toEqual([1, 2, 3]);
  });

  it('never retries a POST that may have reached ISC, and says its outcome is unknown', async () => {
    const next = scripted(transportError('ECONNRESET'), answer(201));
    await expect(policy(call({ method: 'POST' }), next)).rejects.toEqual(code('UPSTREAM_OUTCOME_UNKNOWN'));
    expect(next.seen).toHaveLength(1);
  });

  it('waits out 429s from the operation budget without counting them as attempts', async () => {
    const next = scripted({ ...answer(429), retryAfterMs: 5 }, { ...answer(429), retryAfterMs: 5 }, answer(503), answer(200));
    const scope = { ...unboundedScope(), rateLimitWaitLeftMs: 100 };
    expect((await policy(call({}, { scope }), next)).status).toBe(200);
    expect(scope.rateLimitWaitLeftMs).toBe(90);
    const tight = scripted({ ...answer(429), retryAfterMs: 50 });
    expect((await policy(call({}, { scope: { ...unboundedScope(), rateLimitWaitLeftMs: 10 } }), tight)).status).toBe(429);
    expect(tight.seen).toHaveLength(1);
  });

  it('checks the deadline before each attempt, and reports a DELETE found gone after a lost answer as done', async () => {
    const aborted = { ...unboundedScope(), signal: AbortSignal.abort() };
    const next = scripted(answer(200));
    await expect(policy(call({}, { scope: aborted }), next)).rejects.toEqual(code('DEADLINE_EXCEEDED'));
    expect(next.seen).toHaveLength(0);
    const deleted = await policy(call({ method: 'DELETE', path: 'connectors/a' }), scripted(transportError('ECONNRESET'), answer(404)));
    expect(deleted).toMatchObject({ deletedByEarlierAttempt: true });
  });

  it('names the origin it could not reach (never the path) and points at SAIL_BASE_URL', async () => {
    const failure = policy(
      call({ path: 'connectors/secret-path' }),
      scripted(transportError('ECONNREFUSED'), transportError('ECONNREFUSED'), transportError('ECONNREFUSED')),
    );
    await expect(failure).rejects.toMatchObject({
      message: 'ISC at https://acme.api.identitynow.com could not be reached (ECONNREFUSED): check SAIL_BASE_URL and the network path to it',
      extensions: { code: 'UPSTREAM_ERROR', origin: 'https://acme.api.identitynow.com' },
    });
  });

  it('maps raw failures from below to coded errors: open circuit, answer too large, coded errors unchanged', async () => {
    await expect(policy(call(), scripted(transportError('EOPENBREAKER')))).rejects.toEqual(code('UPSTREAM_UNAVAILABLE'));
    await expect(policy(call(), scripted(new AnswerTooLarge(1024)))).rejects.toEqual(code('UPSTREAM_RESPONSE_TOO_LARGE'));
    const coded = new GraphQLError('busy', { extensions: { code: 'RATE_LIMITED' } });
    await expect(policy(call(), scripted(coded))).rejects.toBe(coded);
  });
});

describe('renewsRefusedToken and sendsCurrentToken', () => {
  type Tokens = { getToken(): Promise<string>; invalidate(t: string): void };
  /** The two stages as the client composes them, with the governor's wait between them. */
  const stages =
    (tokens: Tokens, duringRateWait = () => undefined as void) =>
    (c: IscCall, bottom: Next) =>
      compose([renewsRefusedToken(tokens), (waiting, next) => (duringRateWait(), next(waiting)), sendsCurrentToken(tokens)], bottom)(c);

  it("sends the gateway's token, replaces it once when ISC refuses it, and passes a caller's bearer as is", async () => {
    const issued = ['t1', 't2'];
    const invalidated: string[] = [];
    const tokens = { getToken: async () => issued[invalidated.length], invalidate: (t: string) => void invalidated.push(t) };
    const next = scripted(answer(401), answer(200));
    expect((await stages(tokens)(call(), next)).status).toBe(200);
    expect(next.seen.map((c) => c.headers.authorization)).toEqual(['Bearer t1', 'Bearer t2']);
    expect(invalidated).toEqual(['t1']);
    const own = scripted(answer(401));
    expect((await stages(tokens)(call({}, { credential: { kind: 'bearer', token: 'caller' } }), own)).status).toBe(401);
    expect(own.seen.map((c) => c.headers.authorization)).toEqual(['Bearer caller']);
  });

  it('sends the token as it is after the rate wait, not the one the call started with', async () => {
    let current = 't1';
    const tokens = { getToken: async () => current, invalidate: () => undefined };
    const next = scripted(answer(200));
    // t1 expires while the call waits for its rate slot.
    expect((await stages(tokens, () => void (current = 't2'))(call(), next)).status).toBe(200);
    expect(next.seen.map((c) => c.headers.authorization)).toEqual(['Bearer t2']);
  });
});

describe('rateGoverned', () => {
  it("takes one slot per attempt, and pauses every caller for a 429's Retry-After, clamped", async () => {
    const governor = createRateGovernor({ limit: 100, windowMs: 10_000, maxConcurrency: 2, maxQueue: 10 });
    const clamped: number[] = [];
    const stage = rateGoverned({ governor, maxRetryAfterMs: 2_000, onRetryAfterClamped: (e) => clamped.push(e.retryAfterMs) });
    const limited = await stage(call(), scripted(answer(429, {}, { 'retry-after': '86400' })));
    expect(limited.retryAfterMs).toBe(2_000);
    expect(clamped).toEqual([86_400_000]);
    expect(governor.budget('client:test')).toMatchObject({ remaining: 0 });
    expect(governor.stats()).toMatchObject({ running: 0 });
  });

  it('refuses a background call at once when no slot is free, without waiting', async () => {
    const governor = createRateGovernor({ limit: 1, windowMs: 60_000, maxConcurrency: 2, maxQueue: 10 });
    const stage = rateGoverned({ governor, maxRetryAfterMs: 1_000 });
    await stage(call(), scripted(answer(200)));
    await expect(stage(call({}, { scope: { ...unboundedScope(), background: true } }), scripted(answer(200)))).rejects.toEqual(code('RATE_LIMITED'));
  });
});

describe('circuitBreaker', () => {
  it('opens after repeated 5xx answers and then refuses with EOPENBREAKER without calling next', async () => {
    const breaker = circuitBreaker({ errorThresholdPercentage: 50, volumeThreshold: 2, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 });
    const next = scripted(answer(503));
    expect((await breaker.stage(call(), next)).status).toBe(503);
    expect((await breaker.stage(call(), next)).status).toBe(503);
    expect(breaker.state()).toBe('open');
    await expect(breaker.stage(call(), next)).rejects.toMatchObject({ code: 'EOPENBREAKER' });
    expect(next.seen).toHaveLength(2);
  });

  it('does not count an answer over the size cap as ISC failing', async () => {
    const breaker = circuitBreaker({ errorThresholdPercentage: 1, volumeThreshold: 1, resetTimeoutMs: 60_000, rollingWindowMs: 10_000 });
    await expect(breaker.stage(call(), scripted(new AnswerTooLarge(10)))).rejects.toBeInstanceOf(AnswerTooLarge);
    expect(breaker.closed()).toBe(true);
  });
});

describe('transport', () => {
  it('sends method, URL (in the layout: per resource here), headers and body as given, follows no redirect, and parses the answer', async () => {
    const received: { method?: string; url?: string; headers: http.IncomingHttpHeaders; body: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ method: req.method, url: req.url, headers: req.headers, body });
        if (req.url === '/connectors/v1/moved') return void res.writeHead(302, { location: 'http://127.0.0.1:1/x' }).end();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"big":12345678901234567890}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { http: agent, https } = createAgents('http://127.0.0.1');
      const send = transport({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        paths: { layout: 'per-resource', prefix: '' },
        timeoutMs: 5_000,
        agents: { http: agent, https },
        maxBodyBytes: 1_000,
      });
      const sent = await send(
        call(
          { method: 'PATCH', path: 'connectors/a' },
          { url: 'connectors/a%2Fb?x=1', headers: { authorization: 'Bearer t', 'content-type': 'application/json-patch+json' }, body: '[]' },
        ),
      );
      expect(sent).toMatchObject({ status: 200, body: { big: '12345678901234567890' } });
      expect(received[0]).toMatchObject({
        method: 'PATCH',
        url: '/connectors/v1/a%2Fb?x=1',
        body: '[]',
        headers: { authorization: 'Bearer t', 'content-type': 'application/json-patch+json' },
      });
      expect((await send(call({}, { url: 'connectors/moved' }))).status).toBe(302);
      expect(received).toHaveLength(2);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('compose', () => {
  it('runs the stages top to bottom and the answers bottom to top', async () => {
    const order: string[] = [];
    const stage = (name: string) => async (c: IscCall, next: Next) => {
      order.push(`${name} down`);
      const a = await next(c);
      order.push(`${name} up`);
      return a;
    };
    await compose([stage('a'), stage('b')], async () => (order.push('bottom'), answer(200)))(call());
    expect(order).toEqual(['a down', 'b down', 'bottom', 'b up', 'a up']);
  });
});
