import { LRUCache } from 'lru-cache';
import { Lexer, Source, TokenKind } from 'graphql';
import { httpRefusal, type Refusal } from '../shared/errors.js';
import { limitExtensions, type QueryLimits } from './query-limits.js';

/** HTTP layer: batch size, document size and tokens, checked on the request as received (before Apollo parses it). */

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
 * over, so each is lexed once. -1 records a syntax error.
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
    return httpRefusal(
      'BAD_REQUEST',
      `The GraphQL document is ${bytes} bytes; the limit is ${limits.maxDocumentBytes} (SAIL_MAX_DOCUMENT_BYTES). Pass large values as variables.`,
      limitExtensions('SAIL_MAX_DOCUMENT_BYTES', limits.maxDocumentBytes, bytes),
      413,
    );
  }
  const tokens = cachedTokenCount(query, limits);
  if (tokens !== undefined && tokens > limits.maxTokens) {
    return httpRefusal(
      'GRAPHQL_PARSE_FAILED',
      `The GraphQL document has more than ${limits.maxTokens} tokens (SAIL_MAX_TOKENS)`,
      limitExtensions('SAIL_MAX_TOKENS', limits.maxTokens),
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
      return httpRefusal(
        'BAD_REQUEST',
        `Batched operations are disabled: send one operation per request (SAIL_MAX_BATCH_OPERATIONS=${limits.maxBatchOperations})`,
        limitExtensions('SAIL_MAX_BATCH_OPERATIONS', limits.maxBatchOperations, body.length),
      );
    }
    if (body.length > limits.maxBatchOperations) {
      return httpRefusal(
        'BAD_REQUEST',
        `The batch has ${body.length} operations; the limit is ${limits.maxBatchOperations} (SAIL_MAX_BATCH_OPERATIONS)`,
        limitExtensions('SAIL_MAX_BATCH_OPERATIONS', limits.maxBatchOperations, body.length),
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
