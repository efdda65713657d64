/**
 * S8: ISC's budget as ISC counts it (issue 27), against the standalone demo tenant (`npm run
 * demo-tenant`: per-client accounting and ISC's backoff), which the mock cannot model. Each case runs
 * on a fresh tenant and a fresh gateway, once per gateway build given (this tree, and with
 * `--before=DIR` an earlier checkout built there), with the same settings, so the figures print
 * side by side. Time is scaled: the tenant's window W and the gateway's SAIL_RATE_WINDOW_MS are 1 s
 * instead of ISC's 10 s, so ISC's 120 s horizon is 12 s and its backoff tiers 6, 30, 60, 120 s.
 *
 *  (a) two sign-in sessions and two pass-through tokens of the same OAuth client (the sign-in
 *      client) at full speed against 100 calls per W: ISC 429s and failed operations;
 *  (b) a tenant limiting one route (GET /connectors) at 20 per W with backoff on, the gateway set
 *      to 100: violated intervals, backoffs entered, failed operations, stale answers.
 *  (c) the budget mix (`frontend2Mix`) with uniformly random source-app ids and no warm-up, every
 *      domain cached against cache off: operations per 10 s, failed, ISC calls per operation, cache
 *      hits. The mock upstream suffices here (ISC's 100 / 10 s per client, 50 ms latency), in real
 *      time: the cache's TTL and the fill of a cold cache are what this case is about.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { approveAs, signIn } from '../test/support/sign-in.js';
import type { DemoTenantStats, RequestSummary } from '../src/demo-tenant/stats.js';
import { failure, forkTs, freePort, getJson, httpRequest, percentile, postJson, ROOT, spawnNode, startGateway, stop, type Child } from './lib.js';
import type { MockStats } from './mock-upstream.js';
import { ALL_CACHE_DOMAINS, frontend2Mix, mixSequence, type CostedMixEntry, type MockData } from './scenarios.js';

/** The scaled window: ISC's 10 s as 1 s. */
export const S8_WINDOW_MS = 1_000;
/** Windows of load per case. */
export const S8_A_WINDOWS = 10;
export const S8_B_WINDOWS = 20;
/** (c), in real time: S7 frontend-2's load (5 users without think time, 50 ms upstream latency, 100 calls / 10 s) for 30 s from a cold start. */
export const S8_C = { users: 5, latencyMs: 50, budget: 100, budgetWindowMs: 10_000, seconds: 30 } as const;
const SCALE = 10_000 / S8_WINDOW_MS;

export interface Build {
  label: string;
  root: string;
}

interface Tenant {
  child: Omit<Child, 'url'>;
  url: string;
  vars: Record<string, string>;
}

/** The standalone demo tenant of this tree (`dist/src/demo-tenant/main.js`), its banner read from a file. */
async function startTenant(env: Record<string, string>, logFile: string): Promise<Tenant> {
  const bannerFile = path.join(ROOT, 'bench/results', `s8-tenant-${process.pid}.env`);
  rmSync(bannerFile, { force: true });
  const port = await freePort();
  const child = spawnNode(
    'demo-tenant',
    ['dist/src/demo-tenant/main.js', '--', '--banner-file', bannerFile, '--sign-in'],
    { SAIL_DEMO_TENANT_PORT: String(port), SAIL_HOST: '127.0.0.1', ...env },
    logFile,
  );
  for (let i = 0; i < 300 && !existsSync(bannerFile); i++) {
    if (child.proc.exitCode !== null) throw new Error(`the demo tenant exited with ${child.proc.exitCode}; see ${logFile}`);
    await sleep(50);
  }
  if (!existsSync(bannerFile)) throw new Error(`the demo tenant wrote no banner within 15 s; see ${logFile}`);
  const vars = Object.fromEntries(
    readFileSync(bannerFile, 'utf8')
      .split('\n')
      .map((line) => /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], m[2]]),
  );
  rmSync(bannerFile, { force: true });
  return { child, url: vars.SAIL_BASE_URL, vars };
}

const tenantStats = (tenant: Tenant) => getJson<DemoTenantStats>(`${tenant.url}/__demo/stats`);

/** A pass-through token of the sign-in client: the authorization-code grant done by hand, as a frontend of its own would. */
async function passThroughToken(tenant: Tenant, redirectUri: string, user: string): Promise<string> {
  const authorize = new URL(tenant.vars.SAIL_AUTHORIZE_URL);
  authorize.search = new URLSearchParams({
    response_type: 'code',
    client_id: tenant.vars.SAIL_LOGIN_CLIENT_ID,
    redirect_uri: redirectUri,
    state: 's8',
  }).toString();
  const back = await approveAs(authorize, user);
  const code = back.searchParams.get('code');
  if (!code) throw new Error(`no code in the sign-in's redirect (${back.search.slice(0, 100)})`);
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    client_id: tenant.vars.SAIL_LOGIN_CLIENT_ID,
    client_secret: tenant.vars.SAIL_LOGIN_CLIENT_SECRET,
  });
  const answer = await httpRequest('POST', `${tenant.url}/oauth/token`, form.toString(), { 'content-type': 'application/x-www-form-urlencoded' });
  if (answer.status !== 200) throw new Error(`the token endpoint answered ${answer.status}`);
  return (JSON.parse(answer.body) as { access_token: string }).access_token;
}

/** `count` GETs of GET /connectors, each a different page, starting at `first`. */
const pages = (first: number, count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `p${i}: connectors(limit: 1, offset: ${(first + i) % 40}) { items { scriptName } }`).join(' ')} }`;

interface Driven {
  completed: number;
  failed: number;
  failures: Record<string, number>;
  staleHits: number;
}

/** `loops` callers per header set, each sending operations one after the other until `until`. */
async function drive(url: string, callers: Record<string, string>[], loops: number, until: number, perOperation: number): Promise<Driven> {
  const out: Driven = { completed: 0, failed: 0, failures: {}, staleHits: 0 };
  let n = 0;
  await Promise.all(
    callers.flatMap((headers) =>
      Array.from({ length: loops }, async () => {
        while (Date.now() < until) {
          const body = JSON.stringify({ query: pages((n += perOperation), perOperation) });
          const answer = await httpRequest('POST', url, body, { 'content-type': 'application/json', ...headers }).catch((e: unknown) => ({
            status: 0,
            body: (e as Error).message,
          }));
          const problem = failure(answer);
          if (problem) {
            out.failed++;
            const code = /^([A-Z_]+):/.exec(problem)?.[1] ?? problem.slice(0, 40);
            out.failures[code] = (out.failures[code] ?? 0) + 1;
            continue;
          }
          out.completed++;
          try {
            const hits = (JSON.parse(answer.body) as { extensions?: { cache?: { hits?: { stale?: boolean }[] } } }).extensions?.cache?.hits ?? [];
            out.staleHits += hits.filter((h) => h.stale).length;
          } catch {
            // counted as completed; failure() parsed it already
          }
        }
      }),
    ),
  );
  return out;
}

/** ISC's violated intervals: the most distinct windows with a 429 (of one client and route) that fall within `span` windows. */
function mostViolatedWithin(requests: readonly RequestSummary[], windowMs: number, span: number): number {
  const byKey = new Map<string, Set<number>>();
  for (const r of requests) {
    if (r.kind !== 'api' || r.status !== 429) continue;
    const key = `${r.clientId} ${r.method}`;
    if (!byKey.has(key)) byKey.set(key, new Set());
    byKey.get(key)!.add(Math.floor(r.at / windowMs));
  }
  let most = 0;
  for (const windows of byKey.values()) {
    const all = [...windows];
    for (const first of all) most = Math.max(most, all.filter((w) => w >= first && w < first + span).length);
  }
  return most;
}

export interface S8Figures {
  a: Record<string, number | string>;
  b: Record<string, number | string>;
  c: { off: Record<string, number | string>; cached: Record<string, number | string> };
}

/** (a): 2 sessions + 2 pass-through tokens of the sign-in client, 3 callers each, 4 GETs an operation. */
async function caseA(build: Build, logFile: string): Promise<S8Figures['a']> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const ownRedirect = 'http://127.0.0.1:9/s8-callback';
  const tenant = await startTenant(
    {
      SAIL_DEMO_TENANT_RATE_LIMIT: '100',
      SAIL_DEMO_TENANT_RATE_WINDOW_MS: String(S8_WINDOW_MS),
      SAIL_DEMO_TENANT_BACKOFF: 'on',
      SAIL_DEMO_TENANT_REDIRECT_URIS: `${publicUrl}/auth/callback,${ownRedirect}`,
    },
    logFile,
  );
  let gw: Child | undefined;
  try {
    gw = await startGateway(
      {
        SAIL_BASE_URL: tenant.url,
        SAIL_CLIENT_ID: tenant.vars.SAIL_CLIENT_ID,
        SAIL_CLIENT_SECRET: tenant.vars.SAIL_CLIENT_SECRET,
        SAIL_API_KEYS: 'bench-key',
        SAIL_LOGIN_CLIENT_ID: tenant.vars.SAIL_LOGIN_CLIENT_ID,
        SAIL_LOGIN_CLIENT_SECRET: tenant.vars.SAIL_LOGIN_CLIENT_SECRET,
        SAIL_AUTHORIZE_URL: tenant.vars.SAIL_AUTHORIZE_URL,
        SAIL_PUBLIC_URL: publicUrl,
        SAIL_SESSION_SECRET: 's8-session-secret-of-at-least-32-characters',
        SAIL_PLAYGROUND: 'off',
        NODE_ENV: 'production',
        // ISC's 100 less the unverified tokens' pool (the pool is new in issue 27; 0.3.1 ignores it).
        SAIL_RATE_LIMIT: '90',
        SAIL_UNVERIFIED_RATE_LIMIT: '10',
        SAIL_RATE_WINDOW_MS: String(S8_WINDOW_MS),
        SAIL_RESPONSE_CACHE: 'off',
      },
      [],
      logFile,
      { root: build.root, port },
    );
    const sessions = [await signIn(gw.url, 'ada.admin'), await signIn(gw.url, 'rita.reader')].map((s) => ({
      cookie: Object.entries(s.session)
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    }));
    const tokens = [await passThroughToken(tenant, ownRedirect, 'ada.admin'), await passThroughToken(tenant, ownRedirect, 'sam.source')].map((t) => ({
      authorization: `Bearer ${t}`,
    }));
    const before = await tenantStats(tenant);
    const driven = await drive(`${gw.url}/graphql`, [...sessions, ...tokens], 3, Date.now() + S8_A_WINDOWS * S8_WINDOW_MS, 4);
    const after = await tenantStats(tenant);
    const login = tenant.vars.SAIL_LOGIN_CLIENT_ID;
    return {
      'operations answered': driven.completed,
      'operations failed': driven.failed,
      'failures by code': JSON.stringify(driven.failures),
      'ISC calls accepted (sign-in client)': (after.apiByStatus['200'] ?? 0) - (before.apiByStatus['200'] ?? 0),
      'ISC 429s (sign-in client)': (after.api429ByClient[login] ?? 0) - (before.api429ByClient[login] ?? 0),
      'backoffs entered': after.backoffsEntered - before.backoffsEntered,
    };
  } finally {
    await stop(gw);
    await stop(tenant.child as Child);
  }
}

/** (b): GET /connectors limited at 20 per W with backoff on; the gateway (API key, its own credential) set to 100 per W. */
async function caseB(build: Build, logFile: string): Promise<S8Figures['b']> {
  const tenant = await startTenant(
    {
      SAIL_DEMO_TENANT_RATE_WINDOW_MS: String(S8_WINDOW_MS),
      SAIL_DEMO_TENANT_ROUTE_LIMITS: 'GET /connectors=20',
      SAIL_DEMO_TENANT_BACKOFF: 'on',
    },
    logFile,
  );
  let gw: Child | undefined;
  try {
    gw = await startGateway(
      {
        SAIL_BASE_URL: tenant.url,
        SAIL_CLIENT_ID: tenant.vars.SAIL_CLIENT_ID,
        SAIL_CLIENT_SECRET: tenant.vars.SAIL_CLIENT_SECRET,
        SAIL_API_KEYS: 'bench-key',
        SAIL_PLAYGROUND: 'off',
        NODE_ENV: 'production',
        SAIL_RATE_LIMIT: '100',
        SAIL_RATE_WINDOW_MS: String(S8_WINDOW_MS),
        // Answers while limited can only come from the cache; a TTL of half a window keeps the load
        // above the route's limit, and no stale-while-revalidate, so a stale hit is one served while limited.
        SAIL_RESPONSE_CACHE: 'on',
        SAIL_RESPONSE_CACHE_DOMAINS: 'connectors',
        SAIL_RESPONSE_CACHE_TTL_MS: String(S8_WINDOW_MS / 2),
        SAIL_RESPONSE_CACHE_STALE_MS: '0',
      },
      [],
      logFile,
      { root: build.root },
    );
    const since = Date.now();
    const before = await tenantStats(tenant);
    const driven = await drive(`${gw.url}/graphql`, [{ 'x-api-key': 'bench-key' }], 8, Date.now() + S8_B_WINDOWS * S8_WINDOW_MS, 4);
    const after = await tenantStats(tenant);
    const { requests } = await getJson<{ requests: RequestSummary[] }>(`${tenant.url}/__demo/requests?since=${since}`);
    return {
      'operations answered': driven.completed,
      'operations failed': driven.failed,
      'failures by code': JSON.stringify(driven.failures),
      'ISC calls accepted': (after.apiByStatus['200'] ?? 0) - (before.apiByStatus['200'] ?? 0),
      'ISC 429s': (after.apiByStatus['429'] ?? 0) - (before.apiByStatus['429'] ?? 0),
      'windows with a 429': new Set(requests.filter((r) => r.status === 429).map((r) => Math.floor(r.at / S8_WINDOW_MS))).size,
      'most violated intervals in 12 W (ISC: 120 s)': mostViolatedWithin(requests, S8_WINDOW_MS, 12),
      'backoffs entered': after.backoffsEntered - before.backoffsEntered,
      'stale answers served (extensions.cache stale hits)': driven.staleHits,
    };
  } finally {
    await stop(gw);
    await stop(tenant.child as Child);
  }
}

/** The response cache's counters from `GET /metrics`: fresh hits, misses, and stale hits by their `reason` label (an older build has none). */
async function cacheCounters(gw: Child): Promise<{ hits: number; misses: number; stale: Record<string, number> }> {
  const out = { hits: 0, misses: 0, stale: {} as Record<string, number> };
  const r = await httpRequest('GET', `${gw.url}/metrics`);
  if (r.status !== 200) throw new Error(`GET /metrics answered ${r.status}`);
  for (const line of r.body.split('\n')) {
    const m = /^(isc_gateway_response_cache_(?:hits|misses|stale_hits)_total)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const value = Number(m[3]) || 0;
    if (m[1].endsWith('_stale_hits_total')) {
      const reason = /reason="([^"]*)"/.exec(m[2] ?? '')?.[1] ?? 'no reason label';
      out.stale[reason] = (out.stale[reason] ?? 0) + value;
    } else if (m[1].endsWith('_misses_total')) out.misses += value;
    else out.hits += value;
  }
  return out;
}

/**
 * (c) one variant: a fresh mock (100 calls / 10 s per client, 50 ms) and a fresh gateway with S7's
 * budget settings, `S8_C.users` users sending the uniform-ids mix from the first second (no
 * warm-up) for `S8_C.seconds`. Counted: answers within the window; failures of every operation
 * started in it; ISC calls and cache counters at the window's edges.
 */
async function caseC(build: Build, cached: boolean, mix: CostedMixEntry[], logFile: string): Promise<Record<string, number | string>> {
  const mock = await forkTs('mock', 'mock-upstream.ts', {}, [], logFile);
  let gw: Child | undefined;
  try {
    const stats = () => getJson<MockStats>(`${mock.url}/__stats`);
    await postJson(`${mock.url}/__config`, { latencyMs: S8_C.latencyMs, rateLimit: { limit: S8_C.budget, windowMs: S8_C.budgetWindowMs } });
    gw = await startGateway(
      {
        SAIL_BASE_URL: mock.url,
        SAIL_CLIENT_ID: 'bench-client',
        SAIL_CLIENT_SECRET: 'bench-secret',
        SAIL_API_KEYS: 'bench-key',
        SAIL_PLAYGROUND: 'off',
        NODE_ENV: 'production',
        SAIL_RATE_LIMIT: String(S8_C.budget),
        SAIL_RATE_WINDOW_MS: String(S8_C.budgetWindowMs),
        SAIL_COALESCE: 'on',
        SAIL_RESPONSE_CACHE: cached ? 'on' : 'off',
        ...(cached ? { SAIL_RESPONSE_CACHE_DOMAINS: ALL_CACHE_DOMAINS.join(',') } : {}),
      },
      [],
      logFile,
      { root: build.root },
    );
    await postJson(`${mock.url}/__reset`);
    const sequence = mixSequence(mix, 100_000);
    const [before, countersBefore] = await Promise.all([stats(), cacheCounters(gw)]);
    const deadline = Date.now() + S8_C.seconds * 1000;
    const url = `${gw.url}/graphql`;
    let next = 0;
    let completed = 0;
    let failed = 0;
    const failures: Record<string, number> = {};
    const latencies: number[] = [];
    const atDeadline = (async () => {
      await sleep(Math.max(0, deadline - Date.now()));
      return Promise.all([stats(), cacheCounters(gw)]);
    })();
    await Promise.all(
      Array.from({ length: S8_C.users }, async () => {
        while (Date.now() < deadline) {
          const { entry, n } = sequence[next++ % sequence.length];
          const t = performance.now();
          const answer = await httpRequest('POST', url, JSON.stringify(entry.build(n)), {
            'content-type': 'application/json',
            'x-api-key': 'bench-key',
          }).catch((e: unknown) => ({ status: 0, body: (e as Error).message }));
          const problem = failure(answer);
          if (problem) {
            failed++;
            const code = /^([A-Z_]+):/.exec(problem)?.[1] ?? problem.slice(0, 40);
            failures[code] = (failures[code] ?? 0) + 1;
          } else if (Date.now() <= deadline) {
            completed++;
            latencies.push(performance.now() - t);
          }
        }
      }),
    );
    const [after, countersAfter] = await atDeadline;
    const calls = after.total - before.total;
    const writes = Object.entries(after.calls)
      .filter(([route]) => !route.startsWith('GET '))
      .reduce((sum, [route, count]) => sum + count - (before.calls[route] ?? 0), 0);
    const stale = Object.entries(countersAfter.stale)
      .map(([reason, count]) => `${reason} ${count - (countersBefore.stale[reason] ?? 0)}`)
      .join(', ');
    latencies.sort((a, b) => a - b);
    return {
      'operations answered in the window': completed,
      'operations per 10 s': Math.round(((completed * 10) / S8_C.seconds) * 10) / 10,
      'operations failed': failed,
      'failures by code': JSON.stringify(failures),
      'ISC calls (429s included)': calls,
      '  of which writes (PATCH)': writes,
      'ISC calls / op': (calls / Math.max(1, completed)).toFixed(2),
      'ISC 429s': after.rateLimited - before.rateLimited,
      'cache hits (fresh)': countersAfter.hits - countersBefore.hits,
      'cache stale hits by reason': stale || '–',
      'cache misses': countersAfter.misses - countersBefore.misses,
      'p50 / p99 ms': `${percentile(latencies, 0.5).toFixed(0)} / ${percentile(latencies, 0.99).toFixed(0)}`,
    };
  } finally {
    await stop(gw);
    await stop(mock);
  }
}

function sideBySide(log: (line?: string) => void, title: string, builds: Build[], figures: Record<string, number | string>[]): void {
  const names = Object.keys(figures[0]);
  const widths = [
    Math.max(...names.map((n) => n.length)),
    ...builds.map((b, i) => Math.max(b.label.length, ...names.map((n) => String(figures[i][n]).length))),
  ];
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  log(title);
  log(row(['', ...builds.map((b) => b.label)]));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const name of names) log(row([name, ...figures.map((f) => String(f[name]))]));
  log('');
}

/** Runs (a), (b) and (c) for each build, then prints their figures side by side. */
export async function runS8(builds: Build[], log: (line?: string) => void, logFile: string): Promise<S8Figures[]> {
  const mock = await forkTs('mock', 'mock-upstream.ts', {}, [], logFile);
  const data = await getJson<MockData>(`${mock.url}/__data`).finally(() => stop(mock));
  const mixC = frontend2Mix(data, { appIds: 'uniform' });
  log(
    `S8: ISC's budget as ISC counts it, against the standalone demo tenant; time scaled ${SCALE}× down: W = SAIL_RATE_WINDOW_MS = ${S8_WINDOW_MS} ms ` +
      `(ISC's 10 s), so 100 per W is ISC's 100 / 10 s, 12 W its 120 s horizon, and the backoff tiers 6, 30, 60, 120 s. Builds: ${builds.map((b) => `${b.label} (${b.root})`).join(', ')}`,
  );
  const out: S8Figures[] = [];
  for (const build of builds) {
    log(`  ${build.label}: (a) ${S8_A_WINDOWS} W…`);
    const a = await caseA(build, logFile);
    log(`  ${build.label}: (b) ${S8_B_WINDOWS} W…`);
    const b = await caseB(build, logFile);
    log(`  ${build.label}: (c) cache off, ${S8_C.seconds} s…`);
    const off = await caseC(build, false, mixC, logFile);
    log(`  ${build.label}: (c) every domain cached, ${S8_C.seconds} s…`);
    const cached = await caseC(build, true, mixC, logFile);
    const ratio = Number(cached['operations per 10 s']) / Number(off['operations per 10 s']);
    off['cached ÷ off (operations per 10 s)'] = '';
    cached['cached ÷ off (operations per 10 s)'] = Number.isFinite(ratio) ? `${ratio.toFixed(2)}×` : '–';
    out.push({ a, b, c: { off, cached } });
  }
  log('');
  sideBySide(
    log,
    `S8 (a) 2 sign-in sessions + 2 pass-through tokens of one OAuth client, 3 callers each, 4 GETs an operation, ${S8_A_WINDOWS} W; tenant 100 / W per client, backoff on; gateway SAIL_RATE_LIMIT=90, SAIL_UNVERIFIED_RATE_LIMIT=10 (target: 0 × 429, 0 failed)`,
    builds,
    out.map((f) => f.a),
  );
  sideBySide(
    log,
    `S8 (b) GET /connectors limited at 20 / W per client with backoff on, gateway SAIL_RATE_LIMIT=100, 8 callers, 4 pages an operation, ${S8_B_WINDOWS} W, cache on (connectors, TTL W/2, no stale-while-revalidate) (target: backoffs 0, violated intervals ≤ 2, 0 failed)`,
    builds,
    out.map((f) => f.b),
  );
  sideBySide(
    log,
    `S8 (c) frontend-2 mix with uniformly random source-app ids, no warm-up, ${S8_C.seconds} s from a cold start, ${S8_C.users} users without think time; ` +
      `mock upstream ${S8_C.budget} calls / ${S8_C.budgetWindowMs / 1000} s per client, ${S8_C.latencyMs} ms; gateway SAIL_RATE_LIMIT=${S8_C.budget}, ` +
      `SAIL_RATE_WINDOW_MS=${S8_C.budgetWindowMs}, coalescing on; every domain cached (SAIL_RESPONSE_CACHE_DOMAINS=${ALL_CACHE_DOMAINS.join(',')}, default TTL) vs cache off ` +
      `(target: cached ≥ 3× off, 0 failed)`,
    builds.flatMap((b) => [
      { ...b, label: `${b.label}: off` },
      { ...b, label: `${b.label}: cached` },
    ]),
    out.flatMap((f) => [f.c.off, f.c.cached]),
  );
  return out;
}
