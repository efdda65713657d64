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
import { MAX_IDS_PER_CALL } from '../source-apps/source-apps.loaders.js';

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
 * - `batch`: lookups by id that one DataLoader batches into one call per `MAX_IDS_PER_CALL` ids —
 *   or, for a caller the batched list refuses (403), one call per id (see `batchFallback`);
 * - `entities`: federation `_entities`, one lookup per representation;
 * - `none`: answers without ISC (listed so that every root field is accounted for).
 * Fields not in the table read what their parent brought and cost nothing themselves.
 */
export type CallPattern = 'none' | 'one' | 'page' | 'batch' | 'entities';

export interface FieldCost {
  calls: CallPattern;
  /** The object arrives with its detail payload, so its detail fields need no further call. */
  detailed?: boolean;
}

/** Keyed by `Type.field`. A unit test checks every key against the schema. */
export const FIELD_COSTS: Readonly<Record<string, FieldCost>> = {
  // Federation
  'Query._service': { calls: 'none' },
  'Query._entities': { calls: 'entities' },
  // Connectors
  'Query.connectors': { calls: 'page' },
  'Query.connector': { calls: 'one', detailed: true },
  'ConnectorFiles.sourceConfig': { calls: 'one' },
  'ConnectorFiles.sourceTemplate': { calls: 'one' },
  'ConnectorFiles.correlationConfig': { calls: 'one' },
  'ConnectorFiles.translations': { calls: 'one' },
  'Mutation.createCustomConnector': { calls: 'one' },
  'Mutation.updateConnector': { calls: 'one', detailed: true },
  'Mutation.deleteCustomConnector': { calls: 'one' },
  'Mutation.updateConnectorSourceConfig': { calls: 'one' },
  'Mutation.updateConnectorSourceTemplate': { calls: 'one' },
  'Mutation.updateConnectorCorrelationConfig': { calls: 'one' },
  'Mutation.updateConnectorTranslations': { calls: 'one' },
  // Connector customizers
  'Query.connectorCustomizers': { calls: 'page' },
  'Query.connectorCustomizer': { calls: 'one' },
  'ConnectorCustomizerVersion.customizer': { calls: 'one' },
  'Mutation.createConnectorCustomizer': { calls: 'one' },
  'Mutation.updateConnectorCustomizer': { calls: 'one' },
  'Mutation.deleteConnectorCustomizer': { calls: 'one' },
  'Mutation.createConnectorCustomizerVersion': { calls: 'one' },
  // Source apps
  'Query.sourceApps': { calls: 'page' },
  'Query.allSourceApps': { calls: 'page' },
  'Query.assignedSourceApps': { calls: 'page' },
  'Query.sourceApp': { calls: 'batch' },
  'SourceApp.accessProfiles': { calls: 'page' },
  'Mutation.createSourceApp': { calls: 'one' },
  'Mutation.updateSourceApp': { calls: 'one' },
  'Mutation.deleteSourceApp': { calls: 'one' },
  'Mutation.bulkUpdateSourceApps': { calls: 'one' },
  'Mutation.removeAccessProfilesFromSourceApp': { calls: 'one' },
  // OAuth clients (the list has no paging: one call answers all)
  'Query.oauthClients': { calls: 'one' },
  'Query.oauthClient': { calls: 'one' },
  'Mutation.createOAuthClient': { calls: 'one' },
  'Mutation.updateOAuthClient': { calls: 'one' },
  'Mutation.deleteOAuthClient': { calls: 'one' },
};

/**
 * Detail fields: loaded together by one GET per object (deduplicated per operation), unless the
 * field that returned the object brought its detail payload (`detailed`).
 */
export const DETAIL_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Connector: [
    'applicationXml',
    'correlationConfigXml',
    'sourceConfigXml',
    'sourceConfig',
    'sourceConfigFrom',
    's3Location',
    'uploadedFiles',
    'fileUpload',
    'translationProperties',
  ],
};

export interface CostOptions {
  /** The gateway's cap on `limit` (larger limits are refused before any call). */
  maxListLimit: number;
  variables?: Record<string, unknown>;
  operationName?: string;
  /** Fields visited before the estimate gives up (a guard against pathological documents). */
  maxNodes?: number;
  /**
   * Whether batched lookups fall back to one call per id for this caller: `never` (the batched
   * call is known to serve it), `always` (it is known to answer 403) or `maybe` (not known yet:
   * the batched call, and then one per id, are both counted).
   */
  batchFallback?: BatchFallback;
}

export type BatchFallback = 'never' | 'maybe' | 'always';

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

/** Whether a selection set selects any of `names`, through fragments (each visited once). */
function selectsAny(
  set: SelectionSetNode | undefined,
  names: ReadonlySet<string>,
  fragments: Fragments,
  variables: Variables,
  seen = new Set<string>(),
): boolean {
  if (!set) return false;
  return set.selections.some((selection) => {
    if (!included(selection, variables)) return false;
    if (selection.kind === Kind.FIELD) return names.has(selection.name.value);
    if (selection.kind === Kind.INLINE_FRAGMENT) return selectsAny(selection.selectionSet, names, fragments, variables, seen);
    if (seen.has(selection.name.value)) return false;
    seen.add(selection.name.value);
    return selectsAny(fragments.get(selection.name.value)?.selectionSet, names, fragments, variables, seen);
  });
}

const TOTAL_COUNT = new Set(['totalCount']);
const detailSets = new Map(Object.entries(DETAIL_FIELDS).map(([type, fields]) => [type, new Set(fields)]));

function listLimit(raw: unknown, maxListLimit: number): number {
  const fallback = Math.min(ISC_PAGE_SIZE, maxListLimit);
  const limit = typeof raw === 'number' && Number.isFinite(raw) ? Math.trunc(raw) : fallback;
  // Outside 0..max the resolver refuses before calling ISC; clamping keeps the estimate an upper bound.
  return Math.min(Math.max(0, limit), maxListLimit);
}

/** One estimator per estimate: it counts batched lookups across the operation. */
function upstreamCallEstimator(fragments: Fragments, variables: Variables, maxListLimit: number, fallback: BatchFallback): ComplexityEstimator {
  let batchedLookups = 0;
  return ({ type, field, node, args, childComplexity }) => {
    const cost = FIELD_COSTS[`${type.name}.${field.name}`];
    const details = detailSets.get(getNamedType(field.type).name);
    // The object's detail GET, once per object, when a detail field is selected on it.
    const detailCall = details && !cost?.detailed && selectsAny(node.selectionSet, details, fragments, variables) ? 1 : 0;
    const perObject = detailCall + childComplexity;
    switch (cost?.calls) {
      case undefined:
      case 'none':
        return perObject;
      case 'one':
        return 1 + perObject;
      case 'batch': {
        const batched = batchedLookups++ % MAX_IDS_PER_CALL === 0 ? 1 : 0;
        const calls = fallback === 'never' ? batched : fallback === 'always' ? 1 : batched + 1;
        return calls + perObject;
      }
      case 'page': {
        const limit = listLimit(args.limit, maxListLimit);
        return pageCalls(limit, selectsAny(node.selectionSet, TOTAL_COUNT, fragments, variables)) + limit * perObject;
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
export function estimateUpstreamCalls(schema: GraphQLSchema, document: DocumentNode, options: CostOptions): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return getComplexity({
    schema,
    query: document,
    variables: options.variables,
    operationName: options.operationName,
    estimators: [upstreamCallEstimator(fragments, options.variables ?? {}, options.maxListLimit, options.batchFallback ?? 'maybe')],
    maxQueryNodes: options.maxNodes,
  });
}
