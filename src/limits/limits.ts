import { HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { LRUCache } from 'lru-cache';
import {
  GraphQLError,
  Kind,
  Lexer,
  Source,
  TokenKind,
  type ASTVisitor,
  type DocumentNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';
import type { Context } from '../context.js';
import type { RateGovernor } from '../http/governor.js';
import { LIST_FORBIDDEN } from '../source-apps/source-apps.loaders.js';
import { estimateUpstreamCalls, type BatchFallback } from './cost.js';

/**
 * Query limits, checked before anything runs, so a refused operation makes no ISC call.
 *
 * | limit                  | where checked                          | `extensions.code`           | HTTP |
 * |------------------------|----------------------------------------|-----------------------------|------|
 * | MAX_BATCH_OPERATIONS   | HTTP layer (body is a JSON array)      | `BAD_REQUEST`               | 400  |
 * | MAX_DOCUMENT_BYTES     | HTTP layer (`query` text)              | `BAD_REQUEST`               | 413  |
 * | MAX_TOKENS             | HTTP layer, and Apollo's parser        | `GRAPHQL_PARSE_FAILED`      | 400  |
 * | MAX_DEPTH, MAX_ALIASES, MAX_DIRECTIVES (GraphQL Armor), MAX_ROOT_FIELDS | validation | `GRAPHQL_VALIDATION_FAILED` | 400 |
 * | MAX_COST (estimated ISC calls, with the variables) | after validation | `QUERY_TOO_COMPLEX`   | 400  |
 * | the rate budget before the deadline | after validation          | `RATE_LIMITED`              | 429  |
 *
 * Every limit error names its limit in `extensions.limit` (the variable that sets it) with its value
 * in `extensions.max`, and what was found in `extensions.found` where it was counted. RATE_LIMITED
 * carries `estimatedCalls`, `capacity` (calls the budget allows before the deadline) and
 * `retryAfter` (seconds, also in the Retry-After header) instead.
 */
export type LimitName =
  | 'MAX_BATCH_OPERATIONS'
  | 'MAX_DOCUMENT_BYTES'
  | 'MAX_TOKENS'
  | 'MAX_DEPTH'
  | 'MAX_ALIASES'
  | 'MAX_DIRECTIVES'
  | 'MAX_ROOT_FIELDS'
  | 'MAX_COST';

export type QueryLimits = Pick<
  Config,
  | 'maxDepth'
  | 'maxAliases'
  | 'maxRootFields'
  | 'maxDirectives'
  | 'maxTokens'
  | 'maxDocumentBytes'
  | 'maxCost'
  | 'maxBatchOperations'
  | 'maxListLimit'
>;

function limitExtensions(limit: LimitName, max: number, found?: number) {
  return { limit, max, ...(found !== undefined && { found }) };
}

// ---------------------------------------------------------------------------------------------
// Validation rules: depth, aliases, directives (GraphQL Armor) and root fields.

const ARMOR_FOUND = /found (\d+)/;

/** Armor's rules report through this, so the error names the variable and carries the numbers. */
function armorRejection(limit: LimitName, max: number, describe: (found: number | undefined) => string) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    const match = ARMOR_FOUND.exec(error.message);
    const found = match ? Number(match[1]) : undefined;
    context?.reportError(
      new GraphQLError(`${describe(found)}; the limit is ${max} (${limit})`, { extensions: limitExtensions(limit, max, found) }),
    );
  };
}

/**
 * Root fields of an operation, through fragments (each occurrence counts; `__typename` does not).
 * Fragment counts are memoized: fragments that spread each other twice over must not cost
 * exponential time.
 */
function countRootFields(set: SelectionSetNode, context: ValidationContext, memo: Map<string, number>): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, context, memo);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment) continue;
      if (!memo.has(name)) {
        memo.set(name, 0); // a cycle (refused by graphql's NoFragmentCycles rule) counts nothing here
        memo.set(name, countRootFields(fragment.selectionSet, context, memo));
      }
      count += memo.get(name) ?? 0;
    }
  }
  return count;
}

/**
 * Root fields per operation. Armor has no such rule; each root field of a query starts its own
 * resolver chain (and a mutation's run one after another), so their number is bounded apart
 * from aliases.
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const found = countRootFields(operation.selectionSet, context, new Map());
      if (found > max) {
        context.reportError(
          new GraphQLError(`The operation has ${found} root fields; the limit is ${max} (MAX_ROOT_FIELDS)`, {
            nodes: [operation],
            extensions: limitExtensions('MAX_ROOT_FIELDS', max, found),
          }),
        );
      }
    },
  });
}

/**
 * Operations of a type the schema lacks (this graph has no subscriptions) are refused as invalid;
 * graphql 16 only finds out when executing, and answers an error without a code.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(new GraphQLError(`This gateway does not support ${operation.operation} operations`, { nodes: [operation] }));
  },
});

/** The validation rules for ApolloServer's `validationRules`. Introspection stays within them. */
export function limitValidationRules(limits: QueryLimits): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      // Depth counts fields; fragments do not add levels. Introspection (`__schema`) is exempt.
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [armorRejection('MAX_DEPTH', limits.maxDepth, (n) => `The operation is ${n ?? 'too many'} levels deep`)],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [armorRejection('MAX_ALIASES', limits.maxAliases, (n) => `The operation has ${n ?? 'too many'} aliases`)],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [armorRejection('MAX_DIRECTIVES', limits.maxDirectives, (n) => `The operation has ${n ?? 'too many'} directives`)],
    },
    // Armor's cost rule is static (no list sizes, no variables): MAX_COST is estimated below instead.
    costLimit: { enabled: false },
    // Tokens are bounded by Apollo's parseOptions.maxTokens and the HTTP check below; suggestions
    // are a plugin, not a validation rule, so they are not taken from Armor here.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return [...armor.protect().validationRules, maxRootFieldsRule(limits.maxRootFields), knownOperationTypesRule];
}

// ---------------------------------------------------------------------------------------------
// HTTP layer: batch size, document size and tokens, checked on the request as received.

export interface Refusal {
  status: number;
  body: { errors: { message: string; extensions: Record<string, unknown> }[] };
}

function refusal(status: number, code: string, message: string, extensions: Record<string, unknown>): Refusal {
  return { status, body: { errors: [{ message, extensions: { code, ...extensions } }] } };
}

/** Tokens in `text`, counted up to `max + 1` (the lexer stops there); undefined on a syntax error. */
export function countTokens(text: string, max: number): number | undefined {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > max) break;
    }
  } catch {
    return undefined; // Apollo's parser reports the syntax error itself
  }
  return count;
}

/**
 * Token counts of recent documents, per limits: frontends send the same few documents over and
 * over, and lexing each one again was about 3% of a small operation's CPU. -1 records a syntax error.
 */
const tokenCounts = new WeakMap<QueryLimits, LRUCache<string, number>>();
function cachedTokenCount(query: string, limits: QueryLimits): number | undefined {
  let cache = tokenCounts.get(limits);
  if (!cache) tokenCounts.set(limits, (cache = new LRUCache({ max: 1000, maxSize: 16 * 1024 * 1024, sizeCalculation: (_, key) => key.length || 1 })));
  let count = cache.get(query);
  if (count === undefined) cache.set(query, (count = countTokens(query, limits.maxTokens) ?? -1));
  return count === -1 ? undefined : count;
}

function checkDocument(query: unknown, limits: QueryLimits): Refusal | undefined {
  if (typeof query !== 'string') return undefined;
  const bytes = Buffer.byteLength(query, 'utf8');
  if (bytes > limits.maxDocumentBytes) {
    return refusal(
      413,
      'BAD_REQUEST',
      `The GraphQL document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes} (MAX_DOCUMENT_BYTES). Pass large values as variables.`,
      limitExtensions('MAX_DOCUMENT_BYTES', limits.maxDocumentBytes, bytes),
    );
  }
  const tokens = cachedTokenCount(query, limits);
  if (tokens !== undefined && tokens > limits.maxTokens) {
    return refusal(
      400,
      'GRAPHQL_PARSE_FAILED',
      `The GraphQL document has more than ${limits.maxTokens} tokens (MAX_TOKENS)`,
      limitExtensions('MAX_TOKENS', limits.maxTokens),
    );
  }
  return undefined;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks a `/graphql` request before Apollo parses it: the number of batched operations, and the
 * size and tokens of every document. Answers the refusal to send, or undefined.
 */
export function checkRequestLimits(request: { body: unknown; searchParams: URLSearchParams }, limits: QueryLimits): Refusal | undefined {
  const { body } = request;
  if (Array.isArray(body)) {
    if (limits.maxBatchOperations <= 1) {
      return refusal(
        400,
        'BAD_REQUEST',
        `Batched operations are disabled: send one operation per request (MAX_BATCH_OPERATIONS=${limits.maxBatchOperations})`,
        limitExtensions('MAX_BATCH_OPERATIONS', limits.maxBatchOperations, body.length),
      );
    }
    if (body.length > limits.maxBatchOperations) {
      return refusal(
        400,
        'BAD_REQUEST',
        `The batch has ${body.length} operations; the limit is ${limits.maxBatchOperations} (MAX_BATCH_OPERATIONS)`,
        limitExtensions('MAX_BATCH_OPERATIONS', limits.maxBatchOperations, body.length),
      );
    }
    for (const operation of body) {
      const refused = isRecord(operation) ? checkDocument(operation.query, limits) : undefined;
      if (refused) return refused;
    }
    return undefined;
  }
  if (isRecord(body)) return checkDocument(body.query, limits);
  return checkDocument(request.searchParams.get('query') ?? undefined, limits);
}

// ---------------------------------------------------------------------------------------------
// Cost: estimated ISC calls against MAX_COST and against the caller's rate budget.

export interface CostPluginOptions {
  limits: QueryLimits;
  governor: RateGovernor;
  rate: Pick<Config, 'rateLimit' | 'rateWindowMs' | 'operationTimeoutMs'>;
}

/** Pathological documents (thousands of fields through fragments) stop the estimate here. */
const MAX_ESTIMATED_NODES = 10_000;

/**
 * After validation, with the variables: estimates the operation's ISC calls and refuses it when
 * the estimate exceeds MAX_COST (`QUERY_TOO_COMPLEX`), or when the caller's rate budget cannot
 * hold that many calls before the operation's deadline (`RATE_LIMITED`, with `estimatedCalls`
 * and `retryAfter` in seconds). Answers report the estimate in `extensions.cost`.
 */
/**
 * The estimate depends only on the document, the operation and the variables. Apollo hands the
 * same parsed DocumentNode to every request with the same text, so estimates are memoised per
 * document (held weakly) and per operation + variables (a few per document).
 */
const estimates = new WeakMap<DocumentNode, Map<string, number>>();
const ESTIMATES_PER_DOCUMENT = 64;

function memoizedEstimate(
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  estimate: () => number,
): number {
  let byArguments = estimates.get(document);
  if (!byArguments) estimates.set(document, (byArguments = new Map()));
  let key: string;
  try {
    key = `${operationName ?? ''}\u0000${variables ? JSON.stringify(variables) : ''}`;
  } catch {
    return estimate(); // variables too deep to serialise: not worth memoising (and refused later)
  }
  let value = byArguments.get(key);
  if (value === undefined) {
    value = estimate();
    if (byArguments.size >= ESTIMATES_PER_DOCUMENT) byArguments.clear();
    byArguments.set(key, value);
  }
  return value;
}

export function queryCostPlugin({ limits, governor, rate }: CostPluginOptions): ApolloServerPlugin<Context> {
  const maxCost = limits.maxCost;
  // What a fresh budget holds over a whole deadline: beyond it, waiting does not help. (Computed
  // without the governor's safety margin, so it errs towards "waiting may help".)
  const freshCapacity = rate.rateLimit + Math.floor((rate.operationTimeoutMs / rate.rateWindowMs) * rate.rateLimit);

  function tooComplex(estimatedCalls: number | undefined, message: string): GraphQLError {
    return new GraphQLError(message, {
      extensions: {
        code: 'QUERY_TOO_COMPLEX',
        ...limitExtensions('MAX_COST', maxCost, estimatedCalls),
        ...(estimatedCalls !== undefined && { estimatedCalls }),
        http: { status: 400 },
      },
    });
  }

  return {
    async requestDidStart() {
      let estimatedCalls: number | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return; // no operation to run: execution answers the error
          let estimate: number;
          try {
            const forbidden = contextValue.facts.get(LIST_FORBIDDEN);
            const batchFallback: BatchFallback = forbidden === undefined ? 'maybe' : forbidden ? 'always' : 'never';
            estimate = memoizedEstimate(document, `${operation.name?.value ?? ''}\u0000${batchFallback}`, request.variables ?? undefined, () =>
              estimateUpstreamCalls(schema, document, {
                maxListLimit: limits.maxListLimit,
                variables: request.variables ?? undefined,
                operationName: operation.name?.value,
                maxNodes: MAX_ESTIMATED_NODES,
                batchFallback,
              }),
            );
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            if (error.message.includes('maximum allowed number of nodes')) {
              throw tooComplex(undefined, `The operation has more than ${MAX_ESTIMATED_NODES} fields to estimate (MAX_COST=${maxCost})`);
            }
            // Variables that do not fit the operation: execution refuses them before any resolver runs.
            return;
          }
          estimatedCalls = estimate;
          if (estimate > maxCost) {
            throw tooComplex(
              estimate,
              `The operation would make about ${estimate} ISC calls; the limit is ${maxCost} (MAX_COST). Ask for fewer items (limit) or fewer detail fields.`,
            );
          }
          if (estimate === 0) return;
          const capacity = governor.capacity(contextValue.rateKey, contextValue.scope.deadline);
          if (estimate <= capacity) return;
          const never = estimate > freshCapacity;
          // Calls leave the sliding window at about `rateLimit` per window: wait for the shortfall.
          // (No sooner than the next free slot, which an ISC Retry-After may have pushed back.)
          const shortfallMs = Math.min(rate.rateWindowMs, ((estimate - capacity) / rate.rateLimit) * rate.rateWindowMs);
          const waitMs = Math.max(never ? rate.rateWindowMs : shortfallMs, governor.budget(contextValue.rateKey).resetInMs);
          const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
          throw new GraphQLError(
            `The operation would make about ${estimate} ISC calls, but this ISC client's rate budget ` +
              `(${rate.rateLimit} calls per ${rate.rateWindowMs} ms) allows only ${capacity} before the operation's deadline` +
              (never ? '; it cannot fit even in a fresh budget: ask for fewer items or detail fields' : ''),
            {
              extensions: {
                code: 'RATE_LIMITED',
                estimatedCalls: estimate,
                capacity,
                retryAfter,
                http: { status: 429, headers: new HeaderMap([['retry-after', String(retryAfter)]]) },
              },
            },
          );
        },
        async willSendResponse({ response }) {
          if (estimatedCalls === undefined || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = {
            ...response.body.singleResult.extensions,
            cost: { estimatedCalls, maxCost },
          };
        },
      };
    },
  };
}
