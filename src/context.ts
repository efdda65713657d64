import type { Credential, OperationScope, Upstream } from './isc/client.js';

/**
 * Everything one GraphQL operation works with. It is built once for each operation (by
 * src/http/context.ts), so its per-operation caches (GETs made once, DataLoaders) never outlive
 * the operation; only the token cache inside the ISC client and the caller facts live longer.
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
  /**
   * The rate-governor key of the caller's ISC client (its budget is reported in the response). A
   * function: a pass-through token's key changes within its first operation, once ISC accepted it.
   */
  rateKey(): string;
  /** The operation's deadline and 429 wait budget. */
  scope: OperationScope;
  /** What the gateway learned about this caller's ISC rights in earlier operations (see CallerFacts). */
  facts: BoundFacts;
  /** Ends the operation's deadline timer. */
  dispose(): void;
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

/** What each operation is allowed: its list size, its deadline and its time to wait out 429s. */
export interface OperationSettings {
  maxListLimit: number;
  operationTimeoutMs: number;
  rateLimitWaitMs: number;
  /** The caller asked for fresh data (`Cache-Control: no-cache`): the response cache is not read. */
  fresh?: boolean;
}
