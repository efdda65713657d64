import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { LRUCache } from 'lru-cache';
import { bindUpstream, type Credential, type IscClient, type OperationScope, type Upstream } from './isc/client.js';

/**
 * Everything one GraphQL operation works with. It is built fresh for each request, so its
 * per-request caches (GETs made once, DataLoaders) never outlive the operation; only the token
 * cache inside the ISC client lives across requests.
 */
export interface Context {
  /** The request's id: the caller's `X-Request-Id` when it is a sane token, else a new UUID; echoed in the answer header. */
  requestId: string;
  /** Whose ISC rights the operation uses (for audit records: never log the token itself). */
  credential: Credential;
  /**
   * Who acted, for audit records: a short hash of the credential presented, or `demo` (see
   * principalOf). A function, computed once on first call: Apollo copies the context's own
   * properties for each request, which would evaluate a getter (a SHA-256) every time.
   */
  principal(): string;
  upstream: Upstream;
  maxListLimit: number;
  /** The rate-governor key of the caller's ISC client (its budget is reported in the response). */
  rateKey: string;
  /** The operation's deadline and 429 wait budget. */
  scope: OperationScope;
  /** What the gateway learned about this caller's ISC rights in earlier operations (see CallerFacts). */
  facts: BoundFacts;
  /** Ends the operation's deadline timer. */
  dispose(): void;
  /**
   * The per-operation part (deadline, GET cache, per-request values) for the next operation of
   * this HTTP request: the first gets the part built with the context, each further one (a batch)
   * a fresh one, so one operation finishing never ends another's deadline.
   */
  beginOperation(): Pick<Context, 'scope' | 'upstream' | 'dispose' | 'perRequest'>;
  /**
   * A per-request value (a domain's DataLoader, say), created on first use: a domain asks for its
   * loaders by key, so operations that never touch a domain never build its loaders.
   */
  perRequest<T>(key: string, create: () => T): T;
}

/**
 * Facts about callers' ISC rights learned from ISC's answers (say, "the admin list answers 403
 * for this caller"), kept across operations for a while, per gateway and bounded, so that an
 * operation need not rediscover them at the cost of an ISC call, and its cost estimate can use
 * them. Keyed by the caller (its OAuth client, a hash of its token, or its sign-in session).
 */
export interface CallerFacts {
  get(caller: string, fact: string): boolean | undefined;
  set(caller: string, fact: string, value: boolean): void;
}

/** CallerFacts for one caller. */
export interface BoundFacts {
  get(fact: string): boolean | undefined;
  set(fact: string, value: boolean): void;
}

export function createCallerFacts({ ttlMs = 10 * 60_000, max = 10_000 } = {}): CallerFacts {
  const facts = new LRUCache<string, boolean>({ max, ttl: ttlMs });
  return {
    get: (caller, fact) => facts.get(`${caller}\u0000${fact}`),
    set: (caller, fact, value) => void facts.set(`${caller}\u0000${fact}`, value),
  };
}

/** What each operation is allowed: its list size, its deadline and its time to wait out 429s. */
export interface OperationSettings {
  maxListLimit: number;
  operationTimeoutMs: number;
  rateLimitWaitMs: number;
  /** The caller asked for fresh data (`Cache-Control: no-cache`): the response cache is not read. */
  fresh?: boolean;
}

/** What belongs to one operation: its deadline, its cache of GETs and its per-request values. */
type OperationState = Pick<Context, 'scope' | 'upstream' | 'dispose' | 'perRequest'>;

function operationState(client: IscClient, credential: Credential, config: Omit<OperationSettings, 'maxListLimit'>): OperationState {
  const values = new Map<string, unknown>();
  const deadlineTimer = new AbortController();
  // Every pending read of the operation listens on this signal; dozens is normal, not a leak.
  setMaxListeners(0, deadlineTimer.signal);
  const timer = setTimeout(() => deadlineTimer.abort(), config.operationTimeoutMs);
  timer.unref();
  const scope: OperationScope = {
    deadline: Date.now() + config.operationTimeoutMs,
    signal: deadlineTimer.signal,
    rateLimitWaitLeftMs: config.rateLimitWaitMs,
    calls: [],
    fresh: config.fresh,
  };
  return {
    scope,
    upstream: bindUpstream(client, credential, scope),
    dispose: () => clearTimeout(timer),
    perRequest<T>(key: string, create: () => T): T {
      if (!values.has(key)) values.set(key, create());
      return values.get(key) as T;
    },
  };
}

export function createContext(
  client: IscClient,
  credential: Credential,
  config: OperationSettings,
  requestId: string = randomUUID(),
  /** Computed on first use: only mutations (audit records) need it. */
  principal: () => string = () => 'unknown',
  callerFacts: CallerFacts = createCallerFacts(),
): Context {
  let principalName: string | undefined;
  const rateKey = client.rateKey(credential);
  const callerKey = client.callerKey(credential);
  const first = operationState(client, credential, config);
  let firstTaken = false;
  return {
    requestId,
    credential,
    principal: () => (principalName ??= principal()),
    maxListLimit: config.maxListLimit,
    rateKey,
    facts: { get: (fact) => callerFacts.get(callerKey, fact), set: (fact, value) => callerFacts.set(callerKey, fact, value) },
    ...first,
    beginOperation: () => {
      if (firstTaken) return operationState(client, credential, config);
      firstTaken = true;
      return first;
    },
  };
}

/** A caller's `X-Request-Id` is kept only when it is a short token of safe characters (it goes into logs and headers). */
export function requestIdOf(presented: string | undefined): string {
  return presented && /^[A-Za-z0-9._:-]{1,128}$/.test(presented) ? presented : randomUUID();
}
