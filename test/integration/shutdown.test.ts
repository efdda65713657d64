import { afterEach, describe, expect, it } from '@jest/globals';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { startTestGateway } from '../support/gateway.js';
import { metricSum } from '../support/metrics.js';
import { PACKAGE_VERSION } from '../support/package.js';

/**
 * Graceful shutdown of the real process (`src/index.ts`): on SIGTERM /readyz turns unready, new
 * requests are refused, the operation in flight finishes, and the process exits 0 — or 1 when
 * the grace period runs out and open requests are cut.
 */
const SLOW_QUERY = '{ connectors(limit: 1) { items { scriptName } } }';

let gw: ChildGateway | undefined;
afterEach(() => {
  gw?.kill();
  gw = undefined;
});

function report(name: string, figures: Record<string, unknown>): void {
  process.stdout.write(`[figures] ${name}: ${JSON.stringify(figures)}\n`);
}

async function post(url: string, query: string, timeoutMs = 15_000) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return {
    status: response.status,
    body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] },
    at: Date.now(),
  };
}

/** `promise`, or a rejection after `ms` (the timer is cleared either way, so jest can exit). */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until the child has logged `msg` (bounded). */
async function logged(child: ChildGateway, msg: string, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!child.records().some((r) => r.msg === msg)) {
    if (Date.now() > until) throw new Error(`"${msg}" not logged within ${timeoutMs} ms:\n${child.lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits until `done()` holds (polled every 20 ms, at most 10 s): sequencing on what happened, not on a sleep. */
async function arrived(done: () => boolean | Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await done())) {
    if (Date.now() > until) throw new Error('not within 10 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('RunningGateway.shutdown() in process', () => {
  it('turns unready, refuses new requests with 503 SHUTTING_DOWN, lets the operation in flight finish, then stops', async () => {
    const tgw = await startTestGateway({ SAIL_DEMO_TENANT_LATENCY_MS: '1500' });
    try {
      const readyz = tgw.url.replace(/\/graphql$/, '/readyz');
      const inFlight = post(tgw.url, SLOW_QUERY);
      await arrived(() => tgw.tenant.requests.length === 1); // the operation now waits on the slow upstream
      const stopping = tgw.gateway.shutdown(5_000);
      const [ready, refused] = await Promise.all([fetch(readyz, { signal: AbortSignal.timeout(5_000) }), post(tgw.url, SLOW_QUERY, 5_000)]);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ ready: false, checks: { shutdown: 'in progress' }, version: PACKAGE_VERSION });
      expect(refused.status).toBe(503);
      expect(refused.body.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');
      const done = await inFlight;
      expect(done.body.errors).toBeUndefined();
      expect(done.body.data).toEqual({ connectors: { items: [{ scriptName: expect.any(String) }] } });
      const result = await within(stopping, 5_000, 'shutdown');
      expect(result).toMatchObject({ drained: true, cut: 0 });
      await expect(fetch(readyz, { signal: AbortSignal.timeout(2_000) })).rejects.toThrow(); // closed
    } finally {
      await tgw.close();
    }
  });
});

describe('graceful shutdown (SIGTERM)', () => {
  it('finishes the operation in flight, refuses new ones, reports unready, and exits 0 once drained, not at the end of the grace period', async () => {
    const latencyMs = 2_500;
    // Two minutes of grace, far beyond the 20 s the exit is awaited below: exiting at all means it
    // did not wait the grace period out.
    const graceMs = 120_000;
    // The readiness probe waits on the slow upstream too: its deadline is set beyond it.
    gw = await spawnGateway({
      SAIL_DEMO_TENANT_LATENCY_MS: String(latencyMs),
      SAIL_SHUTDOWN_GRACE_MS: String(graceMs),
      SAIL_READINESS_TIMEOUT_MS: '10000',
    });
    const readyz = gw.url.replace(/\/graphql$/, '/readyz');
    expect((await fetch(readyz, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);

    const started = Date.now();
    const inFlight = post(gw.url, SLOW_QUERY);
    const child = gw;
    await arrived(async () => (await metricSum(child.url, 'isc_gateway_governor_running_calls')) === 1); // waiting on the slow upstream
    const sigtermAt = Date.now();
    gw.child.kill('SIGTERM');
    await logged(gw, 'Shutting down: refusing new requests, draining in-flight ones');
    expect(gw.records().find((r) => r.msg === 'Shutting down: refusing new requests, draining in-flight ones')).toMatchObject({ inFlight: 1 });

    const [ready, refused] = await Promise.all([
      fetch(readyz, { signal: AbortSignal.timeout(5_000) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { ready: boolean } })),
      post(gw.url, SLOW_QUERY, 5_000),
    ]);
    expect(ready).toEqual({ status: 503, body: expect.objectContaining({ ready: false }) });
    expect(refused.status).toBe(503);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('SHUTTING_DOWN');

    const done = await inFlight;
    expect(done.status).toBe(200);
    expect(done.body.errors).toBeUndefined();
    expect(done.body.data).toEqual({ connectors: { items: [{ scriptName: expect.any(String) }] } });

    const exit = await within(gw.exited, 20_000, 'exit after the drain');
    expect(exit.code).toBe(0);
    const stopped = gw.records().find((r) => r.msg === 'Gateway stopped');
    expect(stopped).toMatchObject({ drained: true, cut: 0 });
    expect(gw.records().filter((r) => r.msg === 'Grace period over: cutting requests still open')).toEqual([]);
    report('graceful shutdown', {
      latencyMs,
      graceMs,
      inFlightAnsweredAfterSigtermMs: done.at - sigtermAt,
      operationMs: done.at - started,
      exitAfterSigtermMs: exit.at - sigtermAt,
      readyzDuringDrain: ready.status,
      newRequestDuringDrain: refused.status,
      exitCode: exit.code,
    });
    // The child's start (spawnGateway waits up to 60 s on a loaded machine), then the test.
  }, 90_000);

  it('cuts requests still open when the grace period runs out, and exits 1', async () => {
    const graceMs = 500;
    // ISC holds the operation a minute: only the end of the grace period can end it within the 10 s awaited below.
    gw = await spawnGateway({ SAIL_DEMO_TENANT_LATENCY_MS: '60000', SAIL_SHUTDOWN_GRACE_MS: String(graceMs) });
    const inFlight = post(gw.url, SLOW_QUERY).then(
      (r) => ({ outcome: 'answered' as const, status: r.status }),
      (error: unknown) => ({ outcome: 'cut' as const, error: String(error) }),
    );
    const child = gw;
    await arrived(async () => (await metricSum(child.url, 'isc_gateway_governor_running_calls')) === 1); // waiting on the slow upstream
    const sigtermAt = Date.now();
    gw.child.kill('SIGTERM');
    const exit = await within(gw.exited, 10_000, 'exit');
    expect(exit.code).toBe(1);
    expect(exit.at - sigtermAt).toBeGreaterThanOrEqual(graceMs - 50); // not before the grace period ran out
    expect(await inFlight).toMatchObject({ outcome: 'cut' });
    expect(gw.records().find((r) => r.msg === 'Grace period over: cutting requests still open')).toMatchObject({ open: 1, graceMs });
    expect(gw.records().find((r) => r.msg === 'Gateway stopped')).toMatchObject({ drained: false, cut: 1 });
    report('shutdown grace exceeded', { graceMs, exitAfterSigtermMs: exit.at - sigtermAt, exitCode: exit.code });
    // The child's start (spawnGateway waits up to 60 s on a loaded machine), then the test.
  }, 90_000);
  it('stops on SIGTERM after the reader of its logs has gone (a closed pipe, a dead log shipper)', async () => {
    gw = await spawnGateway({});
    // The test stops reading: the gateway's next log writes meet a closed pipe (EPIPE).
    gw.child.stdout?.destroy();
    gw.child.stderr?.destroy();
    // Operations log a line each, buffered for the stdout flush timer; answered means logged.
    for (let i = 0; i < 3; i++) expect((await post(gw.url, SLOW_QUERY)).status).toBe(200);
    // Past the 100 ms flush timer: the flush meets the closed pipe before the signal (as in production).
    await new Promise((resolve) => setTimeout(resolve, 300));
    gw.child.kill('SIGTERM');
    // Exiting at all is the proof: the old logger slept and retried the write forever, never reaching the handler.
    const exit = await within(gw.exited, 30_000, 'exit after SIGTERM with the log reader gone');
    expect(exit).toMatchObject({ code: 0, signal: null });
  }, 120_000);
});
