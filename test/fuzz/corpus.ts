import type { GraphQLSchema } from 'graphql';
import { createSink, type FuzzCase, type KnownIds } from './cases.js';
import { documentCases } from './documents.js';
import { httpCases } from './http-cases.js';
import { operationCases } from './operations.js';
import { createRng } from './rng.js';

export type { FuzzCase, HttpRequestSpec, KnownIds } from './cases.js';
export { FILTER_MARKER } from './hostile.js';

/**
 * The bad-input fuzz corpus: GraphQL documents generated from the served schema (every Query and
 * Mutation field, valid-shaped, then with one argument made hostile), document-level garbage and
 * HTTP-level garbage. Everything derives from one seed, so a failing case is reproduced by its id.
 *
 * Each case says by construction whether the gateway may call ISC for it (`upstreamAllowed`): a
 * hostile value the gateway can judge on its own (dot segments, locales, limits, patch ops, sizes,
 * URLs, GraphQL validation and variable coercion errors, HTTP garbage) must be refused without a
 * single upstream request.
 */

export interface CorpusOptions {
  seed: number;
  schema: GraphQLSchema;
  /** Ids that exist in the demo tenant, so valid-shaped operations reach real objects. */
  ids: KnownIds;
  /** The gateway's `SAIL_MAX_LIST_LIMIT`. */
  maxListLimit: number;
  /** The gateway's `SAIL_MAX_BODY_BYTES`. */
  maxBodyBytes: number;
  /** Valid-shaped variants per root field. */
  walkVariants?: number;
}

export function buildCorpus(options: CorpusOptions): FuzzCase[] {
  const rng = createRng(options.seed);
  const sink = createSink();
  const operations = operationCases(sink, rng, options);
  documentCases(sink, rng, operations, options.maxBodyBytes);
  httpCases(sink, rng, options.ids, options.maxBodyBytes);
  const { cases } = sink;
  const { maxBodyBytes } = options;

  // A body over the limit is refused before it is read to the end: such cases get a connection of
  // their own (and a follow-up request on it), so a connection left unusable cannot hang another case.
  for (const c of cases) {
    if (c.http?.body && c.http.body.length > maxBodyBytes) {
      c.probeSameConnection = true;
      c.mayReset = true;
    }
  }
  return cases;
}
