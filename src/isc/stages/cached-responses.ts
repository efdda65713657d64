import { encodeRequest } from '../encode.js';
import { heldItems } from '../held-items.js';
import type { WriteClock } from '../write-clock.js';
import { responseCacheKey, type CachedResponse, type CachePolicy, type ResponseCache } from '../response-cache.js';
import type { ByIdsRead, Credential, IscAnswer, IscCall, Next, SessionCredential, Stage } from '../types.js';

/**
 * The response cache across operations (response-cache.ts; through Redis when scaled out), for
 * the domains the operator chose. A GET is answered from it while fresh; past its TTL but within
 * the stale grace it is answered at once while one background refresh runs. Entries are keyed by
 * the call's write stamp (stages/write-stamps.ts), so writes need no work here. Every hit is reported
 * on the operation (`extensions.cache`: route and age). A lookup by ids (`byIds`) is kept and
 * served per id. Background calls and callers asking for fresh data (`Cache-Control: no-cache`)
 * never read it, but fresh answers are stored.
 */
export interface CachedResponsesOptions {
  /** The write clock: each id of a lookup by ids has its own stamp. */
  clock: WriteClock;
  /** Sends a call from the top of the pipeline again (a background refresh, observed like any call). */
  refresh: (call: IscCall) => Promise<unknown>;
  now?: () => number;
}

const keyOf = (call: IscCall, url: string, stamp: string): string =>
  responseCacheKey(stamp, call.callerKey, url, call.request.accept ?? 'application/json');

function served(call: IscCall, entry: CachedResponse, ageMs: number, stale: boolean): IscAnswer {
  (call.scope.cacheHits ??= []).push({ method: call.request.method, route: call.route, ageMs, stale });
  return { status: entry.status, headers: entry.headers, body: entry.body, rawLength: entry.bytes, cached: true };
}

const toEntry = (answer: IscAnswer, storedAt: number): CachedResponse => ({
  status: answer.status,
  headers: answer.headers,
  body: answer.body,
  bytes: answer.rawLength,
  storedAt,
});

/** The same call (headers such as experimental included), its lookup narrowed to `ids`. */
function narrowedTo(call: IscCall, lookup: ByIdsRead, ids: readonly string[]): IscCall {
  if (ids.length === lookup.ids.length) return call;
  const request = { ...call.request, ...lookup.request(ids) };
  return { ...call, request, ...encodeRequest(request) };
}

/** Each item a list holds, also under its by-id read's entry (held-items.ts); the list's answer does not wait for them. */
function keepHeldItems(cache: ResponseCache, clock: WriteClock, call: IscCall, answer: IscAnswer, storedAt: number): void {
  heldItems(call, call.request.holds!, answer, clock)
    .then((items) =>
      Promise.all(
        items.flatMap(({ url, stamp, answer: item }) => {
          const policy = cache.policyOf(url);
          return policy ? [cache.set(keyOf(call, url, stamp), toEntry(item, storedAt), policy.ttlMs + policy.staleMs)] : [];
        }),
      ),
    )
    .catch(() => undefined); // not kept: the by-id read asks ISC
}

async function inBackground(session: SessionCredential): Promise<Credential | undefined> {
  const lasting = await session.forBackground();
  return lasting && { kind: 'session', session: lasting };
}

/**
 * One background refresh per entry at a time, and only with budget to spare: background calls
 * take a rate slot only when nobody waits for one.
 */
function backgroundRefresher(refresh: CachedResponsesOptions['refresh'], now: () => number): (call: IscCall, key: string) => void {
  const refreshing = new Set<string>();
  return (call, key) => {
    if (refreshing.has(key)) return;
    refreshing.add(key);
    const timeout = 10_000;
    const scope = { deadline: now() + timeout, signal: AbortSignal.timeout(timeout), rateLimitWaitLeftMs: 0, background: true };
    // A sign-in session may have ended since its request, or end during the refresh: nothing is sent for it then.
    const credential = call.credential.kind === 'session' ? inBackground(call.credential.session) : Promise.resolve(call.credential);
    credential
      .then((lasting) => (lasting ? refresh({ ...call, credential: lasting, scope, watches: [], start: undefined }) : undefined))
      .catch(() => undefined) // the stale entry serves until its grace ends; the next read tries again
      .finally(() => refreshing.delete(key));
  };
}

export function cachedResponses(cache: ResponseCache | undefined, options: CachedResponsesOptions): Stage | undefined {
  if (!cache) return undefined;
  const now = options.now ?? Date.now;
  const revalidate = backgroundRefresher(options.refresh, now);

  /** `stale` is told of a stale entry served; by default it refreshes that entry. */
  async function fromCache(call: IscCall, key: string, policy: CachePolicy, stale = () => revalidate(call, key)): Promise<IscAnswer | undefined> {
    const entry = await cache!.get(key);
    const ageMs = entry ? now() - entry.storedAt : Infinity;
    if (entry && ageMs <= policy.ttlMs) {
      cache!.record('hit');
      return served(call, entry, ageMs, false);
    }
    // Refreshing needs a credential that outlives the request (the gateway's own, a sign-in
    // session); a pass-through bearer's stale entry is a miss, fetched while its request lives.
    if (entry && ageMs <= policy.ttlMs + policy.staleMs && call.credential.kind !== 'bearer') {
      cache!.record('stale');
      stale();
      return served(call, entry, ageMs, true);
    }
    cache!.record('miss');
    return undefined;
  }

  async function store(key: string, answer: IscAnswer, policy: CachePolicy): Promise<void> {
    if (answer.status >= 200 && answer.status < 300) await cache!.set(key, toEntry(answer, now()), policy.ttlMs + policy.staleMs);
  }

  return async (call, next) => {
    const policy = call.request.method === 'GET' && call.stamp !== undefined ? cache.policyOf(call.url) : undefined;
    if (!policy) return next(call);
    const reads = !call.scope.background && !call.scope.fresh;
    if (call.request.byIds) return byIds(call, next, call.request.byIds, policy, reads);
    const key = keyOf(call, call.url, call.stamp!);
    const cached = reads ? await fromCache(call, key, policy) : undefined;
    if (cached) return cached;
    const answer = await next(call);
    if (call.request.holds) keepHeldItems(cache, options.clock, call, answer, now());
    await store(key, answer, policy);
    return answer;
  };

  /** A lookup by ids: each id answered from its own entry, ISC asked only for the others, and each item it returns stored on its own. */
  async function byIds(call: IscCall, next: Next, lookup: ByIdsRead, policy: CachePolicy, reads: boolean): Promise<IscAnswer> {
    const paths = lookup.ids.map((id) => lookup.entryPath(id));
    const stamps = await options.clock.stamps(paths);
    const keys = new Map(lookup.ids.map((id, i) => [id, keyOf(call, paths[i], stamps[i])]));
    const stale: string[] = [];
    const hits = reads ? await Promise.all(lookup.ids.map((id) => fromCache(call, keys.get(id)!, policy, () => stale.push(id)))) : [];
    const found = hits.flatMap((hit) => (hit ? [hit.body] : []));
    const missing = lookup.ids.filter((_, i) => !hits[i]);
    const narrowed = (ids: readonly string[]) => narrowedTo(call, lookup, ids);
    // One background refresh for all the stale ids of this lookup.
    if (stale.length > 0) {
      const refresh = narrowed(stale);
      revalidate(refresh, keyOf(refresh, refresh.url, call.stamp!));
    }
    if (missing.length === 0) return { status: 200, headers: {}, body: found, rawLength: 0, cached: true };
    const answer = await next(narrowed(missing));
    const items = Array.isArray(answer.body) ? (answer.body as unknown[]) : [];
    for (const item of items) {
      const id = lookup.idOf(item);
      const key = id === undefined ? undefined : keys.get(id);
      if (key) await store(key, { ...answer, body: item, rawLength: Math.ceil(answer.rawLength / Math.max(1, items.length)) }, policy);
    }
    return { ...answer, body: [...found, ...items] };
  }
}
