import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { Config } from '../config/index.js';
import type { Context } from '../context.js';
import type { RateGovernor } from '../isc/governor.js';
import { UNVERIFIED_KEY } from '../isc/passthrough.js';
import { refusalError } from '../shared/errors.js';
import { estimateUpstreamCalls, type CostTable } from './cost.js';
import { limitExtensions, type QueryLimits } from './query-limits.js';

export interface CostPluginOptions {
  limits: QueryLimits;
  /** What each field costs (the domains' tables, merged). */
  costs: CostTable;
  governor: RateGovernor;
  rate: Pick<Config['rate'], 'limit' | 'windowMs'>;
  /** The response cache answers reads past their TTL while the client is limited (SAIL_RESPONSE_CACHE_STALE_IF_LIMITED_MS). */
  answersWhileLimited?: boolean;
}

/** Pathological documents (thousands of fields through fragments) stop the estimate here. */
const MAX_ESTIMATED_NODES = 10_000;

/**
 * After validation, with the variables: estimates the operation's ISC calls and refuses it when
 * the estimate exceeds SAIL_MAX_COST (`QUERY_TOO_COMPLEX`), or when the caller's rate budget cannot
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
  if (!byArguments) estimates.set(document, (byArguments = new Map<string, number>()));
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

/**
 * Refuses (`RATE_LIMITED`, with `retryAfter`) an operation whose estimated calls the caller's rate
 * budget cannot hold before the operation's deadline; `freshCapacity` is what a fresh budget holds.
 */
function checkRateBudget(
  estimate: number,
  contextValue: Context,
  governor: RateGovernor,
  rate: CostPluginOptions['rate'],
  freshCapacity: number,
  answersWhileLimited: boolean,
): void {
  if (estimate === 0) return;
  const rateKey = contextValue.rateKey();
  // A token ISC has not seen yet: its first call verifies it, then its client's budget paces the
  // rest. Judged against a fresh budget, never the small pool every new token shares.
  const unverified = rateKey === UNVERIFIED_KEY;
  const capacity = unverified ? freshCapacity : governor.capacity(rateKey, contextValue.scope.deadline);
  if (estimate <= capacity) return;
  // No call of this client can leave before the deadline (a pause): running the operation costs
  // ISC nothing — each read the cache cannot answer stale is refused RATE_LIMITED at once, no call.
  if (capacity === 0 && answersWhileLimited && !unverified) return;
  const never = estimate > freshCapacity;
  // Calls leave the sliding window at about the limit in force (the setting, or lower where ISC
  // taught the governor its real limit) per window: wait for the shortfall. (No sooner than the
  // next free slot, which an ISC Retry-After may have pushed back.)
  const budget = unverified ? undefined : governor.budget(rateKey);
  const limit = budget?.limit ?? rate.limit;
  const shortfallMs = Math.min(rate.windowMs, ((estimate - capacity) / limit) * rate.windowMs);
  const nextSlotMs = !budget || budget.remaining > 0 ? 0 : budget.resetInMs;
  const waitMs = Math.max(never ? rate.windowMs : shortfallMs, nextSlotMs);
  const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
  throw refusalError(
    'RATE_LIMITED',
    `The operation would make about ${estimate} ISC calls, but this ISC client's rate budget ` +
      `(${limit} calls per ${rate.windowMs} ms) allows only ${capacity} before the operation's deadline` +
      (never ? '; it cannot fit even in a fresh budget: ask for fewer items or detail fields' : ''),
    { estimatedCalls: estimate, capacity, retryAfter },
    { 'retry-after': String(retryAfter) },
  );
}

export function queryCostPlugin({ limits, governor, rate, costs, answersWhileLimited = false }: CostPluginOptions): ApolloServerPlugin<Context> {
  const maxCost = limits.maxCost;
  const factNames = [...new Set(Object.values(costs.fields).flatMap((cost) => (cost.fallbackFact ? [cost.fallbackFact] : [])))];
  // What a fresh budget holds over a whole deadline: beyond it, waiting does not help. (Computed
  // without the governor's safety margin, so it errs towards "waiting may help".)
  const freshCapacity = rate.limit + Math.floor((limits.operationTimeoutMs / rate.windowMs) * rate.limit);

  function tooComplex(estimatedCalls: number | undefined, message: string): GraphQLError {
    return refusalError('QUERY_TOO_COMPLEX', message, {
      ...limitExtensions('SAIL_MAX_COST', maxCost, estimatedCalls),
      ...(estimatedCalls !== undefined && { estimatedCalls }),
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
            // The caller's facts the table depends on are part of the memo key: they change the estimate.
            const known = factNames.map((fact) => contextValue.facts.get(fact));
            estimate = memoizedEstimate(document, `${operation.name?.value ?? ''}\u0000${known.join()}`, request.variables ?? undefined, () =>
              estimateUpstreamCalls(schema, document, costs, {
                maxListLimit: limits.maxListLimit,
                variables: request.variables ?? undefined,
                operationName: operation.name?.value,
                maxNodes: MAX_ESTIMATED_NODES,
                facts: (fact) => known[factNames.indexOf(fact)],
              }),
            );
          } catch (error) {
            if (!(error instanceof GraphQLError)) throw error;
            if (error.message.includes('maximum allowed number of nodes')) {
              throw tooComplex(undefined, `The operation has more than ${MAX_ESTIMATED_NODES} fields to estimate (SAIL_MAX_COST=${maxCost})`);
            }
            // Variables that do not fit the operation: execution refuses them before any resolver runs.
            return;
          }
          estimatedCalls = estimate;
          if (estimate > maxCost) {
            throw tooComplex(
              estimate,
              `The operation would make about ${estimate} ISC calls; the limit is ${maxCost} (SAIL_MAX_COST). Ask for fewer items (limit) or fewer detail fields.`,
            );
          }
          checkRateBudget(estimate, contextValue, governor, rate, freshCapacity, answersWhileLimited);
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
