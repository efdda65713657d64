/**
 * What the gateway learned of ISC's real limit for one ISC client. ISC may limit a client lower
 * than `SAIL_RATE_LIMIT` (custom limits per API, or other users of the same OAuth client), and a
 * client that exceeds ISC's limit in 3 intervals within 120 s is locked out for minutes. So a 429
 * that comes while the client's own window holds fewer calls than its limit lowers the limit to
 * what ISC accepted in that window (at least 1). It grows back by 10 % per window (at least one
 * call) once `QUIET_WINDOWS` windows passed without such a 429 — and never while a second refusal
 * is within `HORIZON_WINDOWS` (ISC's 120 s at its 10 s window): a probe that fails there would be
 * the third violated interval. Pure functions: the ledgers (governor.ts, scale-out/shared-ledger.ts)
 * keep the state; the Lua in shared-ledger.ts mirrors `limitAt` for replicas.
 */
export interface LearnedLimit {
  /** The calls ISC accepted in the window of the latest refusal. */
  limit: number;
  /** When ISC refused below the client's count, and the refusal of an earlier interval (-Infinity or 0: none). */
  lastRefusalAt: number;
  previousRefusalAt: number;
}

export const QUIET_WINDOWS = 3;
export const HORIZON_WINDOWS = 12;
export const GROWTH_PER_WINDOW = 1.1;

/** One window's growth: 10 %, at least one call. */
export const grown = (limit: number) => Math.max(limit + 1, Math.floor(limit * GROWTH_PER_WINDOW));

/** The limit in force at `now`: the configured one, or the learned one grown back since. */
export function limitAt(learned: LearnedLimit | undefined, configured: number, windowMs: number, now: number): number {
  if (!learned) return configured;
  const growsFrom = Math.max(learned.lastRefusalAt + QUIET_WINDOWS * windowMs, learned.previousRefusalAt + HORIZON_WINDOWS * windowMs);
  let limit = Math.min(learned.limit, configured);
  if (now < growsFrom) return limit;
  const steps = Math.floor((now - growsFrom) / windowMs) + 1;
  for (let i = 0; i < steps && limit < configured; i++) limit = grown(limit);
  return Math.min(limit, configured);
}

/**
 * A second violated interval within ISC's horizon leaves this share of what ISC accepted: running
 * exactly at ISC's limit was not safe (calls bunch up on their way, and ISC counts arrivals), and a
 * third violated interval would start ISC's backoff.
 */
export const SECOND_INTERVAL_SHARE = 0.9;

/**
 * After a 429 when ISC had `accepted` calls of the client in its window: the new learned limit.
 * The first violated interval lowers the limit to `accepted` when that is below the limit in force
 * (ISC limits lower); at or above it, ISC enforced the limit the gateway kept to, and only the
 * interval is remembered. A second violated interval within the horizon lowers it to a tenth
 * below. Refusals within one window count as one interval, and never raise the limit.
 */
export function afterRefusal(
  learned: LearnedLimit | undefined,
  accepted: number,
  configured: number,
  windowMs: number,
  now: number,
): LearnedLimit | undefined {
  const current = limitAt(learned, configured, windowMs, now);
  const sameInterval = learned !== undefined && now - learned.lastRefusalAt < windowMs;
  const lastRefusalAt = sameInterval ? learned.lastRefusalAt : now;
  const previousRefusalAt = sameInterval ? learned.previousRefusalAt : (learned?.lastRefusalAt ?? Number.NEGATIVE_INFINITY);
  const second = lastRefusalAt - previousRefusalAt < HORIZON_WINDOWS * windowMs;
  const lowered = second ? Math.floor(Math.min(accepted, current) * SECOND_INTERVAL_SHARE) : accepted;
  const limit = Math.max(1, Math.min(lowered, current));
  if (sameInterval && limit >= learned.limit) return learned;
  return { limit, lastRefusalAt, previousRefusalAt };
}

/** A learned limit that has grown back to the configured one is forgotten. */
export const recovered = (learned: LearnedLimit | undefined, configured: number, windowMs: number, now: number) =>
  learned === undefined || limitAt(learned, configured, windowMs, now) >= configured;
