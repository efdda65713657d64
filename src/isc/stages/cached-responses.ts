import { isErrorCode } from '../../shared/errors.js';
import { encodeRequest } from '../encode.js';
import { heldItems } from '../held-items.js';
import type { WriteClock } from '../write-clock.js';
import { entryLifetimeMs, responseCacheKey, type CachedResponse, type CachePolicy, type ResponseCache } from '../response-cache.js';
import type { ByIdsRead, CacheHit, Credential, IscAnswer, IscCall, Next, SessionCredential, Stage } from '../types.js';

/**
 * The response cache across operations (response-cache.ts; through Redis when scaled out), for
 * the domains the operator chose. A GET is answered from it while fresh; past its TTL but within
 * the stale grace it is answered at once while one background refresh runs. While the caller's
 * ISC client is limited (paused by a 429, or no slot free in its window), or when its call comes
 * back RATE_LIMITED, an entry past its TTL but within the stale-if-limited bound answers instead
 * (no refresh: there is no budget for one). Entries are keyed by the call's write stamp
 * (stages/write-stamps.ts), so writes need no work here, and no stale answer predates a write the
 * operation could have seen. Every hit is reported on the operation (`extensions.cache`: route,
 * age, and why a stale one was served). A lookup by ids (`byIds`) is kept and served per id.
 * Background calls and callers asking for fresh data (`Cache-Control: no-cache`) never read it,
 * but fresh answers are stored.
 */
export interface CachedResponsesOptions {
  /** The write clock: each id of a lookup by ids has its own stamp. */
  clock: WriteClock;
  /** Sends a call from the top of the pipeline again (a background refresh, observed like any call). */
  refresh: (call: IscCall) => Promise<unknown>;
  /** Whether an ISC client (a governor key) is paused or has no slot free right now; default never. */
  limited?: (rateKey: string) => boolean;
  now?: () => number;
}

const keyOf = (call: IscCall, url: string, stamp: string): string =>
  responseCacheKey(stamp, call.callerKey, url, call.request.accept ?? 'application/json');

function served(call: IscCall, entry: CachedResponse, ageMs: number, reason?: CacheHit['reason']): IscAnswer {
  const hit: CacheHit = { method: call.request.method, route: call.route, ageMs, stale: reason !== undefined, ...(reason && { reason }) };
  (call.scope.cacheHits ??= []).push(hit);
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
          return policy ? [cache.set(keyOf(call, url, stamp), toEntry(item, storedAt), entryLifetimeMs(policy))] : [];
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

/** What the cache held for a call: an answer served, or an entry past its TTL kept in case the call comes back rate-limited. */
type Lookup = { answer: IscAnswer; kept?: undefined } | { answer?: undefined; kept?: CachedResponse };

/** ISC or the governor refused the call for the rate limit (a 429, a pause, no slot before the deadline). */
const rateLimited = (error: unknown): boolean => isErrorCode(error, 'RATE_LIMITED');

/**
 * ISC's answer, or `fallback()`'s when the call comes back rate-limited (thrown, or a 429 answer)
 * and there is one (`stale`); `missed` is told when ISC's own answer or error is passed on.
 */
async function orStaleWhenRefused(
  answering: Promise<IscAnswer>,
  fallback: () => IscAnswer | undefined,
  missed: () => void,
): Promise<{ answer: IscAnswer; stale?: true }> {
  let answer: IscAnswer;
  try {
    answer = await answering;
  } catch (error) {
    const stale = rateLimited(error) ? fallback() : undefined;
    if (stale) return { answer: stale, stale: true };
    missed();
    throw error;
  }
  const stale = answer.status === 429 ? fallback() : undefined;
  if (stale) return { answer: stale, stale: true };
  missed();
  return { answer };
}

/** Reading and writing entries under a policy; `limited` tells whether a call's ISC client is limited now. */
function entries(cache: ResponseCache, now: () => number, limited: (rateKey: string) => boolean) {
  return {
    /** `stale` is told of a stale entry served for revalidation (it refreshes it). A miss is recorded by the caller, once ISC answered. */
    async fromCache(call: IscCall, key: string, policy: CachePolicy, stale: () => void): Promise<Lookup> {
      const entry = await cache.get(key);
      if (!entry) return {};
      const ageMs = now() - entry.storedAt;
      if (ageMs <= policy.ttlMs) {
        cache.record('hit');
        return { answer: served(call, entry, ageMs) };
      }
      // Limited: no refresh could run, and this answer spares the budget (a pass-through bearer's
      // entry too: nothing outlives its request). Checked first, so the reason says why.
      const withinLimitedBound = ageMs <= policy.ttlMs + policy.staleIfLimitedMs;
      if (withinLimitedBound && limited(call.rateKey)) {
        cache.record('stale-if-limited');
        return { answer: served(call, entry, ageMs, 'rate-limited') };
      }
      // Refreshing needs a credential that outlives the request (the gateway's own, a sign-in
      // session); a pass-through bearer's stale entry is a miss, fetched while its request lives.
      if (ageMs <= policy.ttlMs + policy.staleMs && call.credential.kind !== 'bearer') {
        cache.record('stale');
        stale();
        return { answer: served(call, entry, ageMs, 'revalidating') };
      }
      return { kept: withinLimitedBound ? entry : undefined };
    },
    /** The kept entries' answers (each still within its bound: time passed while the call waited), or undefined when one is missing or too old. */
    whenRefused(call: IscCall, kept: readonly (CachedResponse | undefined)[], policy: CachePolicy): IscAnswer[] | undefined {
      const ages = kept.map((entry) => (entry ? now() - entry.storedAt : Infinity));
      if (kept.length === 0 || ages.some((ageMs) => ageMs > policy.ttlMs + policy.staleIfLimitedMs)) return undefined;
      return kept.map((entry, i) => {
        cache.record('stale-if-limited');
        return served(call, entry!, ages[i], 'rate-limited');
      });
    },
    /** A read sent to ISC and answered (or failed) by it. */
    missed: () => cache.record('miss'),
    async store(key: string, answer: IscAnswer, policy: CachePolicy): Promise<void> {
      if (answer.status >= 200 && answer.status < 300) await cache.set(key, toEntry(answer, now()), entryLifetimeMs(policy));
    },
  };
}

type Entries = ReturnType<typeof entries>;

export function cachedResponses(cache: ResponseCache | undefined, options: CachedResponsesOptions): Stage | undefined {
  if (!cache) return undefined;
  const now = options.now ?? Date.now;
  const revalidate = backgroundRefresher(options.refresh, now);
  const held = entries(cache, now, options.limited ?? (() => false));
  const reading = { held, clock: options.clock, revalidate };

  return async (call, next) => {
    const policy = call.request.method === 'GET' && call.stamp !== undefined ? cache.policyOf(call.url) : undefined;
    if (!policy) return next(call);
    const reads = !call.scope.background && !call.scope.fresh;
    if (call.request.byIds) return byIds(reading, call, next, call.request.byIds, policy, reads);
    // Only the key of the call's own stamp is looked up: an entry from before a write it could have seen is out of reach.
    const key = keyOf(call, call.url, call.stamp!);
    const found = reads ? await held.fromCache(call, key, policy, () => revalidate(call, key)) : {};
    if (found.answer) return found.answer;
    const { answer, stale } = await orStaleWhenRefused(
      next(call),
      () => held.whenRefused(call, found.kept ? [found.kept] : [], policy)?.[0],
      () => reads && held.missed(),
    );
    if (stale) return answer;
    if (call.request.holds) keepHeldItems(cache, options.clock, call, answer, now());
    await held.store(key, answer, policy);
    return answer;
  };
}

/**
 * A lookup by ids: each id answered from its own entry, ISC asked only for the others, and each
 * item it returns stored on its own. When that call comes back rate-limited and every id it asked
 * for has an entry within the stale-if-limited bound, those answer instead.
 */
async function byIds(
  { held, clock, revalidate }: { held: Entries; clock: WriteClock; revalidate: (call: IscCall, key: string) => void },
  call: IscCall,
  next: Next,
  lookup: ByIdsRead,
  policy: CachePolicy,
  reads: boolean,
): Promise<IscAnswer> {
  const paths = lookup.ids.map((id) => lookup.entryPath(id));
  const stamps = await clock.stamps(paths);
  const keys = new Map(lookup.ids.map((id, i) => [id, keyOf(call, paths[i], stamps[i])]));
  const stale: string[] = [];
  const lookups = reads ? await Promise.all(lookup.ids.map((id) => held.fromCache(call, keys.get(id)!, policy, () => stale.push(id)))) : [];
  const found = lookups.flatMap((hit) => (hit.answer ? [hit.answer.body] : []));
  const missing = lookup.ids.filter((_, i) => !lookups[i]?.answer);
  const narrowed = (ids: readonly string[]) => narrowedTo(call, lookup, ids);
  // One background refresh for all the stale ids of this lookup.
  if (stale.length > 0) {
    const refresh = narrowed(stale);
    revalidate(refresh, keyOf(refresh, refresh.url, call.stamp!));
  }
  if (missing.length === 0) return { status: 200, headers: {}, body: found, rawLength: 0, cached: true };
  const kept = reads ? lookups.filter((hit) => !hit.answer).map((hit) => hit.kept) : [];
  const { answer, stale: fromKept } = await orStaleWhenRefused(
    next(narrowed(missing)),
    () => {
      const answers = held.whenRefused(call, kept, policy);
      return answers && { status: 200, headers: {}, body: [...found, ...answers.map((a) => a.body)], rawLength: 0, cached: true };
    },
    () => {
      if (reads) missing.forEach(held.missed);
    },
  );
  if (fromKept) return answer;
  const items = Array.isArray(answer.body) ? (answer.body as unknown[]) : [];
  for (const item of items) {
    const id = lookup.idOf(item);
    const key = id === undefined ? undefined : keys.get(id);
    if (key) await held.store(key, { ...answer, body: item, rawLength: Math.ceil(answer.rawLength / Math.max(1, items.length)) }, policy);
  }
  return { ...answer, body: [...found, ...items] };
}
