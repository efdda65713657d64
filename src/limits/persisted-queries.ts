import { createHash } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequest, GraphQLRequestListener, PersistedQueryOptions } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import type { GraphQLError } from 'graphql';
import type { Config } from '../config/index.js';
import type { Context } from '../context.js';
import { refusalError } from '../shared/errors.js';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What a refused request runs instead of its own text: valid, free, and never executed. */
const PLACEHOLDER = '{ __typename }';

/** Drops `extensions.persistedQuery`, so that Apollo's APQ handling leaves the request alone. */
export function dropPersistedQuery(request: GraphQLRequest): void {
  if (!request.extensions || !('persistedQuery' in request.extensions)) return;
  const extensions = { ...request.extensions };
  delete extensions.persistedQuery;
  request.extensions = extensions;
}

/**
 * Refuses a request from `requestDidStart`, where throwing would be an internal error: the
 * request's text is replaced by a placeholder (so it is never parsed), and the refusal is thrown
 * from `didResolveOperation`, the hook where a plugin's GraphQLError becomes the response with its
 * HTTP status. Nothing runs.
 */
export function refuseBeforeParsing(request: GraphQLRequest, refusal: GraphQLError): GraphQLRequestListener<Context> {
  request.query = PLACEHOLDER;
  dropPersistedQuery(request);
  return {
    async didResolveOperation() {
      throw refusal;
    },
  };
}

/** APQ options for ApolloServer: a cache bounded in size (and in time), or off when its size is 0. */
export function automaticPersistedQueries(limits: Pick<Config['limits'], 'apqCacheBytes' | 'apqTtlSeconds'>): PersistedQueryOptions | false {
  if (limits.apqCacheBytes === 0) return false;
  return {
    // Sized by the documents' length in characters (≈ bytes for GraphQL text); least recently used go first.
    cache: new InMemoryLRUCache<string>({ maxSize: limits.apqCacheBytes }),
    ttl: limits.apqTtlSeconds === 0 ? null : limits.apqTtlSeconds,
  };
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function badPersistedQuery(message: string): GraphQLError {
  return refusalError('BAD_REQUEST', message);
}

/** What is wrong with a request's `extensions.persistedQuery`, if anything. */
export function checkPersistedQuery(request: GraphQLRequest): GraphQLError | undefined {
  const persisted: unknown = request.extensions?.persistedQuery;
  if (persisted === undefined) return undefined;
  if (!isRecord(persisted) || persisted.version !== 1 || typeof persisted.sha256Hash !== 'string' || !SHA256_HEX.test(persisted.sha256Hash)) {
    return badPersistedQuery('extensions.persistedQuery must be { "version": 1, "sha256Hash": "<SHA-256 of the query, 64 lower-case hex digits>" }');
  }
  if (typeof request.query === 'string' && sha256(request.query) !== persisted.sha256Hash) {
    return badPersistedQuery('extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it');
  }
  return undefined;
}

/**
 * Apollo answers a malformed persisted-query extension with errors that carry no
 * `extensions.code` (they surface as INTERNAL_SERVER_ERROR); this answers them as `BAD_REQUEST`
 * first. Misses (PERSISTED_QUERY_NOT_FOUND) and registrations stay Apollo's.
 */
export function persistedQueryGuardPlugin(): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const refusal = checkPersistedQuery(request);
      return refusal ? refuseBeforeParsing(request, refusal) : undefined;
    },
  };
}
