import { DEFAULTS } from './defaults.js';
import { integerSetting as integer, type Environment } from './parse.js';

/** What one request and one operation may ask for (see src/limits). */
export interface LimitsConfig {
  /** Largest `limit` a list query accepts. */
  maxListLimit: number;
  /** Fields nested, aliases, root fields and directives per operation. */
  maxDepth: number;
  maxAliases: number;
  maxRootFields: number;
  maxDirectives: number;
  /** Lexical tokens and UTF-8 bytes of one GraphQL document. */
  maxTokens: number;
  maxDocumentBytes: number;
  /** Estimated ISC calls of one operation (list fields weighted by their `limit`). */
  maxCost: number;
  /** Operations in one HTTP request; 1 turns batching off. */
  maxBatchOperations: number;
  /** Deadline of one GraphQL operation. */
  operationTimeoutMs: number;
  /** Path of a trusted documents manifest: when set, only its operations run. */
  trustedDocuments: string | undefined;
  /** Automatic persisted queries: cache size in characters of query text (0 turns APQ off), and entry lifetime (0: none). */
  apqCacheBytes: number;
  apqTtlSeconds: number;
}

export function limitsConfig(env: Environment): LimitsConfig {
  const defaults = DEFAULTS.limits;
  return {
    maxListLimit: integer(env, 'SAIL_MAX_LIST_LIMIT', defaults.maxListLimit, 1, 100_000),
    // Aliases are this graph's batching (100 `sourceApp` lookups are one ISC call), so their defaults
    // are generous; ISC calls, the real expense, are bounded by the cost limit and the rate budget.
    maxDepth: integer(env, 'SAIL_MAX_DEPTH', defaults.maxDepth, 1, 1000),
    maxAliases: integer(env, 'SAIL_MAX_ALIASES', defaults.maxAliases, 0, 100_000),
    maxRootFields: integer(env, 'SAIL_MAX_ROOT_FIELDS', defaults.maxRootFields, 1, 100_000),
    maxDirectives: integer(env, 'SAIL_MAX_DIRECTIVES', defaults.maxDirectives, 0, 100_000),
    maxTokens: integer(env, 'SAIL_MAX_TOKENS', defaults.maxTokens, 100, 1_000_000),
    maxDocumentBytes: integer(env, 'SAIL_MAX_DOCUMENT_BYTES', defaults.maxDocumentBytes, 1024, 64 * 1_048_576),
    maxCost: integer(env, 'SAIL_MAX_COST', defaults.maxCost, 1, 10_000_000),
    maxBatchOperations: integer(env, 'SAIL_MAX_BATCH_OPERATIONS', defaults.maxBatchOperations, 1, 1000),
    operationTimeoutMs: integer(env, 'SAIL_OPERATION_TIMEOUT_MS', defaults.operationTimeoutMs, 100, 600_000),
    trustedDocuments: env.SAIL_TRUSTED_DOCUMENTS || undefined,
    apqCacheBytes: integer(env, 'SAIL_APQ_CACHE_BYTES', defaults.apqCacheBytes, 0, 1024 * 1_048_576),
    apqTtlSeconds: integer(env, 'SAIL_APQ_TTL_SECONDS', defaults.apqTtlSeconds, 0, 365 * 86_400),
  };
}
