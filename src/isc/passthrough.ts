import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { jwtClaims } from '../shared/bearer.js';
import { gatewayError } from '../shared/errors.js';
import { awaitHandOver, untilAborted, type RateGovernor } from './governor.js';
import type { IscAnswer, IscCall, Next, Stage } from './types.js';

/**
 * Pass-through bearers and ISC's budget (issue 27). ISC counts calls per OAuth client, so a
 * caller's token is charged to the client its payload names (`client_id`) — but only once ISC
 * has accepted that exact token: until then its claims are anybody's word. Unverified tokens
 * share one small pool of their own (`UNVERIFIED_KEY`), one verification call per token at a
 * time and per client address one at a time, so made-up tokens never take a verified client's
 * slots and one address cannot crowd out another's sign-in. A token ISC refused (401) is
 * remembered for a while and costs no call.
 */

/** The governor key every not-yet-verified pass-through token shares. */
export const UNVERIFIED_KEY = 'unverified';

/** A governor that sends `UNVERIFIED_KEY` to the unverified pool and every other key to `main` (whose totals it reports). */
export function withUnverifiedPool(main: RateGovernor, pool: RateGovernor): RateGovernor {
  const pick = (key: string) => (key === UNVERIFIED_KEY ? pool : main);
  return {
    acquire: (key, deadline, signal) => pick(key).acquire(key, deadline, signal),
    tryAcquire: (key) => pick(key).tryAcquire(key),
    capacity: (key, deadline) => pick(key).capacity(key, deadline),
    pauseUntil: (key, until) => pick(key).pauseUntil(key, until),
    refused: (key) => pick(key).refused(key),
    budget: (key) => pick(key).budget(key),
    // The verified clients' queue: junk waiting in the pool is not a wait of any caller's budget.
    stats: () => main.stats(),
  };
}

/** Where the verdicts on tokens are shared between replicas (Redis), keyed by a token's hash; absent: this process only. */
export interface TokenVerdicts {
  /** A token's governor key once verified, `refused` once refused; undefined when not known. */
  get(hash: string): Promise<string | undefined>;
  set(hash: string, verdict: string, ttlMs: number): Promise<void>;
}

export interface PassthroughOptions {
  /** Where a verified token's call is charged to its client's ledger. */
  governor: RateGovernor;
  /** How long a token ISC refused is refused without a call (default 5 min). */
  refusedTtlMs?: number;
  /** How long a verified token's client is remembered (default 1 h; an expired token is refused at the edge anyway). */
  verifiedTtlMs?: number;
  /** Tokens remembered per verdict (default 10,000). */
  maxTokens?: number;
  shared?: TokenVerdicts;
}

export interface PassthroughStats {
  /** Verified tokens that name no OAuth client: they keep a budget per token. */
  withoutClient: number;
}

export interface PassthroughTokens {
  /** The governor key of a token: its client's (or its hash's) once verified, else `UNVERIFIED_KEY`. */
  rateKey(token: string): string;
  /** The key of a token's own answers (caches, coalescing, caller facts): always per token. */
  callerKey(token: string): string;
  /** The pipeline stage (above the retry stage) that picks each call's governor key and verifies new tokens. */
  stage: Stage;
  stats(): PassthroughStats;
}

const REFUSED = 'refused';
const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex').slice(0, 32);
const tokenKey = (hash: string): string => `token:${hash}`;

/** An answer that shows ISC authenticated the token (not 401, 429, 5xx). */
const accepted = (status: number): boolean => (status >= 200 && status < 300) || status === 400 || status === 403 || status === 404;

const refusedToken = () => gatewayError('UNAUTHENTICATED', 'ISC refused this bearer token (401): it is not valid for this tenant', { status: 401 });

/** What the gateway knows of each token (by hash): its governor key once accepted, or that ISC refused it. */
function tokenVerdicts(options: PassthroughOptions) {
  const { governor, refusedTtlMs = 5 * 60_000, verifiedTtlMs = 60 * 60_000, maxTokens = 10_000, shared } = options;
  const verdicts = new LRUCache<string, string>({ max: maxTokens, ttl: verifiedTtlMs });
  const stats: PassthroughStats = { withoutClient: 0 };

  function remember(h: string, verdict: string, ttlMs: number): void {
    verdicts.set(h, verdict, { ttl: ttlMs });
    void shared?.set(h, verdict, ttlMs).catch(() => undefined); // Redis down: this replica still knows
  }

  return {
    stats,
    local: (h: string) => verdicts.get(h),
    /** This process's verdict, else the replicas' (read once per verification). */
    async of(h: string): Promise<string | undefined> {
      const local = verdicts.get(h);
      if (local || !shared) return local;
      const known = await shared.get(h).catch(() => undefined);
      if (known) verdicts.set(h, known);
      return known;
    },
    /** ISC answered a token's first call: remember what it showed. */
    settle(h: string, token: string, status: number): void {
      if (status === 401) return remember(h, REFUSED, refusedTtlMs);
      if (!accepted(status)) return; // 429, 5xx: ISC said nothing about the token
      const clientId = jwtClaims(token)?.clientId;
      if (!clientId) stats.withoutClient++;
      const key = clientId ? `client:${clientId}` : tokenKey(h);
      remember(h, key, verifiedTtlMs);
      // ISC counted the verification call against the client: so does the client's ledger (if a slot is free).
      void governor.tryAcquire(key).then((release) => release?.());
    },
  };
}

export function createPassthroughTokens(options: PassthroughOptions): PassthroughTokens {
  const verdicts = tokenVerdicts(options);
  // Token → hash, so a busy token is hashed once; bounded by the tokens' size too (a bearer may be kilobytes).
  const hashes = new LRUCache<string, string>({
    max: options.maxTokens ?? 10_000,
    maxSize: 8 * 1024 * 1024,
    sizeCalculation: (_, token) => token.length,
  });
  const verifying = new Map<string, Promise<void>>();
  const turns = addressTurns();

  function hash(token: string): string {
    let h = hashes.get(token);
    if (!h) hashes.set(token, (h = hashOf(token)));
    return h;
  }

  async function verify(call: IscCall, next: Next, h: string, token: string, address: string): Promise<IscAnswer> {
    let done!: () => void;
    verifying.set(h, new Promise<void>((resolve) => (done = resolve)));
    let leave: (() => void) | undefined;
    try {
      leave = await turns.take(address, call.scope.signal);
      call.rateKey = UNVERIFIED_KEY;
      const answer = await next(call);
      verdicts.settle(h, token, answer.status);
      return answer;
    } finally {
      leave?.();
      verifying.delete(h);
      done();
    }
  }

  const stage: Stage = async (call, next) => {
    const { credential } = call;
    if (credential.kind !== 'bearer') return next(call);
    const h = hash(credential.token);
    for (;;) {
      const verdict = verifying.has(h) ? undefined : await verdicts.of(h);
      if (verdict === REFUSED) throw refusedToken();
      if (verdict) {
        call.rateKey = verdict;
        return next(call);
      }
      // One call per unverified token at a time: the operation's other calls wait for its verdict.
      const pending = verifying.get(h);
      if (!pending) return verify(call, next, h, credential.token, credential.address ?? 'unknown');
      await untilAborted(pending, call.scope.signal, () => undefined);
    }
  };

  return {
    rateKey(token) {
      const verdict = verdicts.local(hash(token));
      return verdict && verdict !== REFUSED ? verdict : UNVERIFIED_KEY;
    },
    callerKey: (token) => tokenKey(hash(token)),
    stage,
    stats: () => ({ ...verdicts.stats }),
  };
}

/**
 * One verification at a time per client address, the others of that address waiting in order:
 * an address sending junk tokens holds at most one place in the unverified pool's queue.
 */
function addressTurns() {
  const queues = new Map<string, (() => void)[]>();

  function releaser(address: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const waiter = queues.get(address)?.shift();
      if (waiter) waiter();
      else queues.delete(address);
    };
  }

  async function take(address: string, signal: AbortSignal): Promise<() => void> {
    const queue = queues.get(address);
    if (!queue) {
      queues.set(address, []);
      return releaser(address);
    }
    await awaitHandOver(queue, signal, releaser(address));
    return releaser(address);
  }

  return { take };
}
