import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { GROWTH_PER_WINDOW, HORIZON_WINDOWS, QUIET_WINDOWS, SECOND_INTERVAL_SHARE } from '../learned-limit.js';
import { createLocalLedger, type Budget, type LocalLedger, type Reservation, type Reserved, type SlotLedger } from '../governor.js';
import type { SharedStore } from '../../redis/connection.js';

/** learned-limit.ts \`limitAt\` in Lua: the learned limit (a hash), grown back since, at most the configured one. */
const LIMIT_AT = `
local function limitAt(key, configured, window, now)
  local learned = redis.call('HMGET', key, 'limit', 'last', 'previous')
  if not learned[1] then return configured end
  local limit = math.min(tonumber(learned[1]), configured)
  local growsFrom = math.max(tonumber(learned[2]) + ${QUIET_WINDOWS} * window, tonumber(learned[3]) + ${HORIZON_WINDOWS} * window)
  if now < growsFrom then return limit end
  local steps = math.floor((now - growsFrom) / window) + 1
  for i = 1, steps do
    if limit >= configured then break end
    limit = math.max(limit + 1, math.floor(limit * ${GROWTH_PER_WINDOW}))
  end
  return math.min(limit, configured)
end
`;

/**
 * The sliding-window log of every replica's call starts, in one Redis sorted set per ISC client
 * (score = start time, Redis's clock). Atomic in Lua: drop starts older than the window, take the
 * earliest start that keeps every window at or under the limit and after every earlier
 * reservation (FIFO), and record it — so replicas together never start more than `limit` calls in
 * any window, whatever their clocks say. The limit is the one learned from ISC's 429s when lower
 * (KEYS[3], see LEARN). Answers [wait ms, starts in window, refused 0/1, limit in force].
 */
const RESERVE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local maxWait = tonumber(ARGV[3])
${LIMIT_AT}
local limit = limitAt(KEYS[3], tonumber(ARGV[1]), window, now)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local slot = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > slot then slot = paused end
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local bound = redis.call('ZRANGE', KEYS[1], count - limit, count - limit, 'WITHSCORES')
  local s = tonumber(bound[2]) + window
  if s > slot then slot = s end
end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if last[2] and tonumber(last[2]) > slot then slot = tonumber(last[2]) end
if maxWait >= 0 and slot - now > maxWait then return {slot - now, count, 1, limit} end
redis.call('ZADD', KEYS[1], slot, ARGV[4])
redis.call('PEXPIRE', KEYS[1], window + (slot - now) + 1000)
return {slot - now, count + 1, 0, limit}
`;

/**
 * Whether the start reserved as ARGV[3] still holds when its time comes, as in governor.ts
 * `confirm`: no pause ends after it (KEYS[2]) and fewer starts than the limit in force (KEYS[3])
 * are ahead of it in its window. Otherwise it is given up. Answers 1 or 0.
 */
const CONFIRM = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local window = tonumber(ARGV[2])
local slot = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not slot then return 1 end
slot = tonumber(slot)
${LIMIT_AT}
local limit = limitAt(KEYS[3], tonumber(ARGV[1]), window, now)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
local ahead = redis.call('ZCOUNT', KEYS[1], '(' .. (slot - window), slot) - 1
if paused <= slot and ahead < limit then return 1 end
redis.call('ZREM', KEYS[1], ARGV[3])
return 0
`;

/**
 * A 429 (recorded as ARGV[3] in KEYS[3], the window's refusals): ISC accepted the window's
 * started calls (KEYS[2]) less those it refused. When that is below the limit in force, ISC
 * limits lower — the learned limit (KEYS[1]: limit, last and previous refusal) drops to it, at
 * least 1, as in learned-limit.ts `afterRefusal`. It lives until it has grown back. Answers the
 * limit in force.
 */
const LEARN = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local configured = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - window)
redis.call('ZADD', KEYS[3], now, ARGV[3])
redis.call('PEXPIRE', KEYS[3], window + 1000)
local started = redis.call('ZCOUNT', KEYS[2], '(' .. (now - window), now)
local accepted = math.max(0, started - redis.call('ZCARD', KEYS[3]))
${LIMIT_AT}
local current = limitAt(KEYS[1], configured, window, now)
local held = redis.call('HMGET', KEYS[1], 'limit', 'last', 'previous')
local last = tonumber(held[2] or '0')
local previous = tonumber(held[3] or '0')
local same = held[1] and now - last < window
if not same then previous = last; last = now end
local lowered = accepted
if previous > 0 and last - previous < ${HORIZON_WINDOWS} * window then
  lowered = math.floor(math.min(accepted, current) * ${SECOND_INTERVAL_SHARE})
end
local learned = math.max(1, math.min(lowered, current))
if same and learned >= tonumber(held[1]) then return current end
redis.call('HSET', KEYS[1], 'limit', learned, 'last', last, 'previous', previous)
redis.call('PEXPIRE', KEYS[1], window * (${HORIZON_WINDOWS} + configured + 1) + 1000)
return learned
`;

/** A 429's Retry-After, for every replica: the pause ends at Redis-now + ms (only ever extended). */
const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]) + 1000) end
return untilMs
`;

/**
 * Starts this replica made on its fallback while Redis was unreachable, added to the shared log
 * when Redis is back (ARGV: member prefix, window, then each start's offset from now in ms), so
 * the other replicas count them for the rest of their window.
 */
const REPLAY = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 3, #ARGV do redis.call('ZADD', KEYS[1], now + tonumber(ARGV[i]), ARGV[1] .. ':r' .. i) end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 1000)
return #ARGV - 2
`;

type ScriptedRedis = Redis & {
  iscReserve(
    log: string,
    pause: string,
    learned: string,
    limit: number,
    windowMs: number,
    maxWaitMs: number,
    member: string,
  ): Promise<[number, number, number, number]>;
  iscConfirm(log: string, pause: string, learned: string, limit: number, windowMs: number, member: string): Promise<number>;
  iscLearn(learned: string, log: string, refusals: string, limit: number, windowMs: number, member: string): Promise<number>;
  iscPause(pause: string, ms: number): Promise<number>;
  iscReplay(log: string, member: string, windowMs: number, ...offsets: number[]): Promise<number>;
};

function scripted(redis: Redis): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.iscReserve !== 'function') {
    redis.defineCommand('iscReserve', { numberOfKeys: 3, lua: RESERVE });
    redis.defineCommand('iscConfirm', { numberOfKeys: 3, lua: CONFIRM });
    redis.defineCommand('iscLearn', { numberOfKeys: 3, lua: LEARN });
    redis.defineCommand('iscPause', { numberOfKeys: 1, lua: PAUSE });
    redis.defineCommand('iscReplay', { numberOfKeys: 1, lua: REPLAY });
  }
  return r;
}

export interface SharedLedgerOptions {
  store: SharedStore;
  limit: number;
  /** The window, margin included. */
  windowMs: number;
  /** Replicas sharing the ISC client: without Redis each keeps to `limit / replicas`. */
  replicas: number;
  now?: () => number;
}

/**
 * The ledger shared through Redis, with a per-process fallback: while Redis is unreachable (or a
 * command fails) this process keeps to `floor(limit / replicas)` per window on its own, so the
 * replicas together still stay within the limit. Across the switch both ways no window holds
 * more than the limit: the fallback also records the starts this replica reserved through Redis,
 * and the starts made on the fallback are added to the shared log when Redis is back. (While only
 * some replicas reach Redis, those share the limit and the others add their fallback share: up to
 * `limit + limit / replicas` in a window — see README "Scale-out".) `budget` and `capacity` are
 * estimates from the last reservation this process saw (hints in answers, not the guarantee).
 */
export function createSharedLedger({ store, limit, windowMs, replicas, now = Date.now }: SharedLedgerOptions): SlotLedger {
  const ledger: LedgerState = {
    store,
    redis: scripted(store.redis),
    limit,
    windowMs,
    now,
    fallback: createLocalLedger({ limit: Math.max(1, Math.floor(limit / replicas)), windowMs, now }),
    member: randomUUID(),
    sequence: 0,
    unshared: new Map(),
    seen: new Map(),
  };
  const { fallback, seen } = ledger;

  return {
    reserve: (key, maxWaitMs) => reserve(ledger, key, maxWaitMs),
    pauseUntil(key, until) {
      fallback.pauseUntil(key, until);
      const s = seen.get(key) ?? { inWindow: 0, at: now(), pausedUntil: 0, limit };
      seen.set(key, { ...s, pausedUntil: Math.max(s.pausedUntil, until) });
      const ms = Math.max(0, Math.round(until - now()));
      if (ms > 0 && store.available()) ledger.redis.iscPause(pauseKey(ledger, key), ms).catch(() => undefined);
    },
    confirm: (key, reservation) => confirm(ledger, key, reservation),
    refused: (key) => refused(ledger, key),
    capacity(key, deadline) {
      if (!store.available()) return fallback.capacity(key, deadline);
      const { inWindow, pausedUntil, limit: inForce } = observed(ledger, key);
      const t = Math.max(now(), pausedUntil);
      if (deadline <= t) return 0;
      return Math.max(0, inForce - inWindow) + Math.floor(((deadline - t) / windowMs) * inForce);
    },
    budget(key): Budget {
      if (!store.available()) return fallback.budget(key);
      const { inWindow, at, pausedUntil, limit: inForce } = observed(ledger, key);
      const t = now();
      const remaining = t < pausedUntil ? 0 : Math.max(0, inForce - inWindow);
      // Without the log at hand, the window seen last frees a slot at the latest one window later.
      const freesBy = inWindow > 0 ? at + windowMs - t : 0;
      return {
        limit: inForce,
        remaining,
        resetInMs: Math.max(0, remaining > 0 ? freesBy : Math.max(pausedUntil - t, freesBy)),
        pausedForMs: Math.max(0, pausedUntil - t),
      };
    },
  };
}

/** What this process saw of a key's window at its last reservation (or 429). */
interface Observation {
  inWindow: number;
  at: number;
  pausedUntil: number;
  /** The limit in force then: the configured one, or one learned from ISC's 429s (by any replica). */
  limit: number;
}

/** A shared ledger's settings and bookkeeping, passed to the functions below. */
interface LedgerState {
  store: SharedStore;
  redis: ScriptedRedis;
  limit: number;
  windowMs: number;
  now: () => number;
  fallback: LocalLedger;
  /** Names this process's entries in the shared log; `sequence` makes each one unique. */
  member: string;
  sequence: number;
  /** Per key: starts reserved on the fallback and not yet added to the shared log. */
  unshared: Map<string, number[]>;
  /** Per key: starts in the window after this process's last reservation, and when. */
  seen: Map<string, Observation>;
}

const logKey = (ledger: LedgerState, key: string) => `${ledger.store.prefix}rate:${key}`;
const pauseKey = (ledger: LedgerState, key: string) => `${ledger.store.prefix}rate-pause:${key}`;
const learnedKey = (ledger: LedgerState, key: string) => `${ledger.store.prefix}rate-learned:${key}`;
const refusalsKey = (ledger: LedgerState, key: string) => `${ledger.store.prefix}rate-refusals:${key}`;
const nextMember = (ledger: LedgerState) => `${ledger.member}:${++ledger.sequence}`;

/** Reserves a start in the shared log, or on the local share while Redis is unreachable or fails. */
async function reserve(ledger: LedgerState, key: string, maxWaitMs: number): Promise<Reservation> {
  const { store, redis, limit, windowMs, now, fallback, seen } = ledger;
  if (maxWaitMs < 0) return { waitMs: 0, refused: true }; // the caller's deadline has passed
  if (!store.available()) return reserveLocally(ledger, key, maxWaitMs);
  let answer: [number, number, number, number];
  const member = nextMember(ledger);
  try {
    await shareFallbackStarts(ledger, key);
    const wait = Number.isFinite(maxWaitMs) ? Math.floor(maxWaitMs) : -1;
    answer = await redis.iscReserve(logKey(ledger, key), pauseKey(ledger, key), learnedKey(ledger, key), limit, windowMs, wait, member);
  } catch {
    return reserveLocally(ledger, key, maxWaitMs); // Redis failed mid-call: this call keeps to the local share
  }
  const [waitMs, inWindow, refused, inForce] = answer;
  if (seen.size > 10_000) seen.clear();
  seen.set(key, { inWindow, at: now(), pausedUntil: observed(ledger, key).pausedUntil, limit: inForce });
  if (refused) return { waitMs, refused: true };
  const start = now() + waitMs;
  fallback.record(key, start); // should Redis go away, the fallback knows this start
  return { waitMs, start, member };
}

/** A start reserved in the shared log is confirmed there; one reserved on the fallback (or while Redis is away), on the fallback. */
async function confirm(ledger: LedgerState, key: string, reservation: Reserved): Promise<boolean> {
  const { member } = reservation;
  if (!member || !ledger.store.available()) return ledger.fallback.confirm(key, reservation);
  try {
    return (
      (await ledger.redis.iscConfirm(logKey(ledger, key), pauseKey(ledger, key), learnedKey(ledger, key), ledger.limit, ledger.windowMs, member)) ===
      1
    );
  } catch {
    return ledger.fallback.confirm(key, reservation);
  }
}

function reserveLocally(ledger: LedgerState, key: string, maxWaitMs: number): Reservation {
  const reservation = ledger.fallback.reserve(key, maxWaitMs);
  if (!reservation.refused) {
    const starts = ledger.unshared.get(key) ?? [];
    starts.push(ledger.now() + reservation.waitMs);
    ledger.unshared.set(key, starts);
  }
  return reservation;
}

/** Adds the starts this replica made on its fallback (those still in the window) to the shared log. */
async function shareFallbackStarts(ledger: LedgerState, key: string): Promise<void> {
  const starts = ledger.unshared.get(key);
  if (!starts) return;
  const t = ledger.now();
  const offsets = starts.filter((start) => start > t - ledger.windowMs).map((start) => Math.round(start - t));
  if (offsets.length > 0) await ledger.redis.iscReplay(logKey(ledger, key), nextMember(ledger), ledger.windowMs, ...offsets);
  ledger.unshared.delete(key);
}

/**
 * A 429 to a call of `key`: the shared learned limit drops when ISC accepted fewer calls of all
 * replicas in the window than the limit in force (the fallback learns too, for while Redis is away).
 */
async function refused(ledger: LedgerState, key: string): Promise<void> {
  ledger.fallback.refused(key);
  if (!ledger.store.available()) return;
  try {
    const args = [ledger.limit, ledger.windowMs, nextMember(ledger)] as const;
    const inForce = await ledger.redis.iscLearn(learnedKey(ledger, key), logKey(ledger, key), refusalsKey(ledger, key), ...args);
    const s = observed(ledger, key);
    ledger.seen.set(key, { ...s, limit: inForce });
  } catch {
    // Redis failed: the pause still holds this replica (and the fallback learned); the next 429 teaches the others.
  }
}

function observed(ledger: LedgerState, key: string): Observation {
  const s = ledger.seen.get(key);
  if (!s || ledger.now() - s.at > ledger.windowMs)
    return { inWindow: 0, at: ledger.now(), pausedUntil: s?.pausedUntil ?? 0, limit: s?.limit ?? ledger.limit };
  return s;
}
