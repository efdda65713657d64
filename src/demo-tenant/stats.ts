import { isIP } from 'node:net';
import type { RateLimitSettings } from './rate-limits.js';

/**
 * What the demo tenant counts, for tests and operators of the standalone process (`npm run
 * demo-tenant`): API requests by route and status, token requests by grant type and status,
 * sign-in requests, tokens issued, what it remembers, and a summary of each recorded request. Served on the demo-only paths `GET /__demo/stats` and `GET /__demo/requests?since=<ms>`,
 * to loopback callers only. ISC has no such endpoints.
 */

/** Counters since the tenant started (the request log may be trimmed; these never are). */
export interface DemoTenantStats {
  /** When the tenant started (ms since epoch). */
  startedAt: number;
  tokenLifetimeSeconds: number;
  /** ISC's limits as the tenant enforces them per OAuth client (rate-limits.ts), or null when it does not. */
  rateLimit: RateLimitSettings | null;
  /** Backoffs entered (ISC's route-specific backoff, `rateLimit.backoff`), in all and by OAuth client; tier climbs are not counted. */
  backoffsEntered: number;
  backoffsEnteredByClient: Record<string, number>;
  /** Successful token requests, every grant type. */
  tokensIssued: number;
  /** Token requests by status answered. */
  tokenRequests: Record<string, number>;
  /** Token requests by grant type (`other` for unknown ones, `none` when missing) and status, e.g. `{ "refresh_token": { "200": 3, "400": 1 } }`. */
  tokenRequestsByGrant: Record<string, Record<string, number>>;
  /** Sign-in requests (`GET` and `POST /oauth/authorize`) by status answered (200 the page, 302 back to the client). */
  signInRequests: Record<string, number>;
  /** Entries the tenant keeps in memory now: live (and not yet forgotten expired) access tokens, refresh tokens, authorization codes. */
  remembered: { accessTokens: number; refreshTokens: number; authorizationCodes: number };
  /** API requests answered (dropped and hung ones are not). */
  apiRequests: number;
  /** API requests by status answered, e.g. `{ "200": 95, "429": 5 }`. */
  apiByStatus: Record<string, number>;
  /** API requests by route template and status, e.g. `{ "GET /connector-customizers": { "200": 12 } }`. */
  apiByRoute: Record<string, Record<string, number>>;
  /** API requests answered 429 (every cause: a limit, the backoff, an injected fault) by OAuth client. */
  api429ByClient: Record<string, number>;
}

/** One recorded request, without headers or bodies (so no credential can leak through it). */
export interface RequestSummary {
  /** `authorize`: the sign-in page and its form (`/oauth/authorize`). */
  kind: 'token' | 'api' | 'authorize';
  method: string;
  path: string;
  /** Arrival time (ms since epoch). */
  at: number;
  /** Status answered; null while pending or when the connection was dropped. */
  status: number | null;
  /** OAuth client of the bearer token (API), of the exchange (token) or of the sign-in (authorize); null when unknown. */
  clientId: string | null;
  /** Token requests only: the grant type asked for (`client_credentials`, `authorization_code`, `refresh_token`, or `other`), null when none. */
  grantType?: string | null;
}

export const DEMO_PATH_PREFIX = '/__demo/';

const GRANT_TYPES = ['client_credentials', 'authorization_code', 'refresh_token'];

/** A grant type as summaries and counters name it: one the token endpoint knows, `other`, or null when none was given (never a caller's arbitrary text). */
export const grantTypeLabel = (grantType: string | null): string | null =>
  grantType === null ? null : GRANT_TYPES.includes(grantType) ? grantType : 'other';

export interface StatsCounter {
  countToken(status: number, grantType: string | null): void;
  countSignIn(status: number): void;
  /** `clientId`: the bearer's OAuth client, null when unknown. */
  countApi(route: string, status: number, clientId: string | null): void;
  snapshot(
    settings: Pick<DemoTenantStats, 'tokenLifetimeSeconds' | 'rateLimit' | 'remembered' | 'backoffsEntered' | 'backoffsEnteredByClient'>,
  ): DemoTenantStats;
}

export function createStatsCounter(startedAt = Date.now()): StatsCounter {
  let tokensIssued = 0;
  let apiRequests = 0;
  const tokenRequests: Record<string, number> = {};
  const tokenRequestsByGrant: Record<string, Record<string, number>> = {};
  const signInRequests: Record<string, number> = {};
  const apiByStatus: Record<string, number> = {};
  const apiByRoute: Record<string, Record<string, number>> = {};
  const api429ByClient: Record<string, number> = {};
  const bump = (counts: Record<string, number>, key: string) => {
    counts[key] = (counts[key] ?? 0) + 1;
  };
  return {
    countToken(status, grantType) {
      bump(tokenRequests, String(status));
      bump((tokenRequestsByGrant[grantTypeLabel(grantType) ?? 'none'] ??= {}), String(status));
      if (status === 200) tokensIssued++;
    },
    countSignIn(status) {
      bump(signInRequests, String(status));
    },
    countApi(route, status, clientId) {
      apiRequests++;
      if (status === 429 && clientId !== null) bump(api429ByClient, clientId);
      bump(apiByStatus, String(status));
      bump((apiByRoute[route] ??= {}), String(status));
    },
    snapshot: (settings) => ({
      startedAt,
      ...settings,
      tokensIssued,
      tokenRequests: { ...tokenRequests },
      tokenRequestsByGrant: Object.fromEntries(Object.entries(tokenRequestsByGrant).map(([grant, counts]) => [grant, { ...counts }])),
      signInRequests: { ...signInRequests },
      apiRequests,
      apiByStatus: { ...apiByStatus },
      apiByRoute: Object.fromEntries(Object.entries(apiByRoute).map(([route, counts]) => [route, { ...counts }])),
      api429ByClient: { ...api429ByClient },
    }),
  };
}

/** Whether a socket's remote address is on this machine's loopback (IPv4-mapped IPv6 included). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.split('.')[0] === '127';
  return address === '::1';
}

/** Keeps a recorded-request array at most `max` long, trimming in chunks so a push stays cheap. */
export function trimOldest<T>(entries: T[], max: number): void {
  if (entries.length > max + Math.max(1, Math.floor(max / 10))) entries.splice(0, entries.length - max);
}
