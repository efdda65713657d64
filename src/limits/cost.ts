import {
  getNamedType,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { ISC_PAGE_SIZE } from '../shared/paging.js';
import { fieldsOf, type SelectionReader } from '../shared/selection.js';

/**
 * The cost of an operation is an estimate of the ISC calls it makes: the unit the rate limit
 * counts. It is an upper bound for well-formed data (a page shorter than its `limit`, an id asked
 * for twice, a failing call all make fewer calls), computed from the document and its variables
 * before anything runs.
 *
 * How a field spends ISC calls:
 * - `one`: one call each time it resolves (a GET by key, a write);
 * - `page`: a paged list read through ISC's 250-item pages — the first page, then the rest; its
 *   `limit` (250 when absent) also multiplies the cost of everything selected below it, once per item;
 * - `batch`: lookups by key that one loader batches into one call per `batchSize` keys — or, for
 *   a caller known by `fallbackFact` to be refused the batched call, one call per key, and both
 *   while that is not known yet. Below a list, each item's lookup counts a `batchSize`-th of the
 *   batched call (the total is rounded up once); a selection of only `referenceFields` costs nothing;
 * - `entities`: federation `_entities`, one lookup per representation;
 * - `none`: answers without ISC (listed so that every root field is accounted for).
 * Fields not in the table read what their parent brought and cost nothing themselves.
 */
export type CallPattern = 'none' | 'one' | 'page' | 'batch' | 'entities';

export interface FieldCost {
  calls: CallPattern;
  /** The object arrives with its detail payload, so its detail fields need no further call. */
  detailed?: boolean;
  /** `batch`: keys per batched call. */
  batchSize?: number;
  /** `batch`: the caller fact (see CallerFacts) that says the batched call is refused to this caller. */
  fallbackFact?: string;
  /** `batch`: the fields the parent's embedded reference answers; selecting only these makes no call. */
  referenceFields?: readonly string[];
}

/**
 * What the fields of a domain cost, declared next to its resolvers (`<domain>.costs.ts`) and
 * merged in src/domains.ts. `fields` is keyed by `Type.field`; `detailFields` are the fields of a
 * type that one GET per object loads together, unless the field that returned the object brought
 * its detail payload (`detailed`). A unit test checks every key against the schema.
 */
export interface CostTable {
  fields: Readonly<Record<string, FieldCost>>;
  detailFields: Readonly<Record<string, readonly string[]>>;
}

/** The same cost for several fields: `each({ calls: 'one' }, ['Query.a', 'Mutation.b'])`. */
export function each(cost: FieldCost, fields: readonly string[]): Record<string, FieldCost> {
  return Object.fromEntries(fields.map((field) => [field, cost]));
}

/** Merges the tables of several domains. */
export function mergeCostTables(tables: readonly CostTable[]): CostTable {
  return {
    fields: Object.assign({}, ...tables.map((t) => t.fields)) as Record<string, FieldCost>,
    detailFields: Object.assign({}, ...tables.map((t) => t.detailFields)) as Record<string, readonly string[]>,
  };
}

export interface CostOptions {
  /** The gateway's cap on `limit` (larger limits are refused before any call). */
  maxListLimit: number;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Fields visited before the estimate gives up (a guard against pathological documents). */
  maxNodes?: number;
  /**
   * What is known of the caller's facts (see FieldCost.fallbackFact): true (the batched call is
   * refused: one call per key), false (it serves the caller) or undefined (not known: both counted).
   */
  facts?: (fact: string) => boolean | undefined;
}

/** ISC calls `readPage` makes for `limit` items: one more item is read when no count is asked for. */
export function pageCalls(limit: number, withTotal: boolean): number {
  const wanted = withTotal ? limit : limit + 1;
  return Math.max(1, Math.ceil(wanted / ISC_PAGE_SIZE));
}

type Fragments = ReadonlyMap<string, FragmentDefinitionNode>;
type Variables = Readonly<Record<string, unknown>>;

/** Whether `@skip`/`@include` leave a selection in (literal or variable conditions). */
function included(selection: SelectionNode, variables: Variables): boolean {
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const value = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    const condition = value?.kind === Kind.BOOLEAN ? value.value : value?.kind === Kind.VARIABLE ? variables[value.name.value] : undefined;
    if (typeof condition === 'boolean' && condition === (name === 'skip')) return false;
  }
  return true;
}

/** How the estimate reads the document: its fragments, and `@skip`/`@include` with literal or variable conditions. */
const documentReader = (fragments: Fragments, variables: Variables): SelectionReader => ({
  fragment: (name) => fragments.get(name)?.selectionSet,
  included: (selection) => included(selection, variables),
});

/** Whether a selection set selects any of `names`, through fragments. */
const selectsAny = (set: SelectionSetNode | undefined, names: ReadonlySet<string>, reader: SelectionReader): boolean =>
  fieldsOf(set, reader).some((field) => names.has(field.name.value));

/** Whether a selection set selects nothing but `names` (and `__typename`), through fragments. */
const selectsOnly = (set: SelectionSetNode | undefined, names: ReadonlySet<string>, reader: SelectionReader): boolean =>
  fieldsOf(set, reader).every((field) => field.name.value === '__typename' || names.has(field.name.value));

const TOTAL_COUNT = new Set(['totalCount']);
const detailSetsOf = new WeakMap<CostTable, Map<string, Set<string>>>();
function detailSets(costs: CostTable): Map<string, Set<string>> {
  let sets = detailSetsOf.get(costs);
  if (!sets) detailSetsOf.set(costs, (sets = new Map(Object.entries(costs.detailFields).map(([type, fields]) => [type, new Set(fields)]))));
  return sets;
}

/**
 * Calls of one batched lookup: the batched call for the first key of each batch (the n-th root
 * field, from 0) or its share of it (`index` undefined: one per item of a list), or one per key
 * (see CostOptions.facts).
 */
function batchedLookupCalls(cost: FieldCost, index: number | undefined, refused: boolean | undefined): number {
  const batchSize = cost.batchSize ?? 1;
  const batched = index === undefined ? 1 / batchSize : index % batchSize === 0 ? 1 : 0;
  if (cost.fallbackFact === undefined || refused === false) return batched;
  return refused ? 1 : batched + 1;
}

function listLimit(raw: unknown, maxListLimit: number): number {
  const fallback = Math.min(ISC_PAGE_SIZE, maxListLimit);
  const limit = typeof raw === 'number' && Number.isFinite(raw) ? Math.trunc(raw) : fallback;
  // Outside 0..max the resolver refuses before calling ISC; clamping keeps the estimate an upper bound.
  return Math.min(Math.max(0, limit), maxListLimit);
}

/** One estimator per estimate: it counts batched lookups across the operation. */
function upstreamCallEstimator(costs: CostTable, fragments: Fragments, variables: Variables, options: CostOptions): ComplexityEstimator {
  const { maxListLimit, facts = () => undefined } = options;
  const batchedLookups = new Map<string, number>();
  const details = detailSets(costs);
  const reader = documentReader(fragments, variables);
  return ({ type, field, node, args, childComplexity }) => {
    const key = `${type.name}.${field.name}`;
    const cost = costs.fields[key];
    const detailSet = details.get(getNamedType(field.type).name);
    // The object's detail GET, once per object, when a detail field is selected on it.
    const detailCall = detailSet && !cost?.detailed && selectsAny(node.selectionSet, detailSet, reader) ? 1 : 0;
    const perObject = detailCall + childComplexity;
    switch (cost?.calls) {
      case undefined:
      case 'none':
        return perObject;
      case 'one':
        return 1 + perObject;
      case 'batch': {
        const references = cost.referenceFields && new Set(cost.referenceFields);
        if (references && selectsOnly(node.selectionSet, references, reader)) return perObject;
        const refused = cost.fallbackFact === undefined ? undefined : facts(cost.fallbackFact);
        // A root field is counted per alias; below a list the same field node stands for every item.
        if (type.name !== 'Query') return batchedLookupCalls(cost, undefined, refused) + perObject;
        const index = batchedLookups.get(key) ?? 0;
        batchedLookups.set(key, index + 1);
        return batchedLookupCalls(cost, index, refused) + perObject;
      }
      case 'page': {
        const limit = listLimit(args.limit, maxListLimit);
        return pageCalls(limit, selectsAny(node.selectionSet, TOTAL_COUNT, reader)) + limit * perObject;
      }
      case 'entities': {
        const representations: unknown = args.representations;
        const count = Array.isArray(representations) ? representations.length : 0;
        return count * (1 + perObject);
      }
    }
  };
}

/**
 * The estimated ISC calls of one operation of `document` (the one named, or the only one), with
 * its variables. Throws a GraphQLError when the variables do not fit the operation (execution would
 * refuse them too) or when the document has more than `maxNodes` fields to visit.
 */
export function estimateUpstreamCalls(schema: GraphQLSchema, document: DocumentNode, costs: CostTable, options: CostOptions): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const calls = getComplexity({
    schema,
    query: document,
    variables: options.variables,
    operationName: options.operationName,
    estimators: [upstreamCallEstimator(costs, fragments, options.variables ?? {}, options)],
    maxQueryNodes: options.maxNodes,
  });
  // Shares of batched calls add up in floating point: round up, forgiving the representation error.
  return Math.max(0, Math.ceil(calls - 1e-9));
}
