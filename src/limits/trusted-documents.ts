import { readFileSync } from 'node:fs';
import type { ApolloServerPlugin, GraphQLRequest } from '@apollo/server';
import { parse, type GraphQLError } from 'graphql';
import { ConfigError } from '../config/index.js';
import type { Context } from '../context.js';
import { refusalError } from '../shared/errors.js';
import { dropPersistedQuery, isRecord, refuseBeforeParsing, sha256 } from './persisted-queries.js';

/**
 * Trusted documents (`SAIL_TRUSTED_DOCUMENTS=<manifest.json>`): only the operations a frontend
 * was built with run. The manifest maps an id to a document, in either format client tooling
 * writes:
 * - `{ "<sha256>": "<document>" }` (GraphQL Code Generator's persisted documents);
 * - `{ "format": "apollo-persisted-query-manifest", "version": 1, "operations": [{ "id", "body", "name", "type" }] }`
 *   (Apollo's `generate-persisted-query-manifest`).
 * A request names its document by `documentId` (GraphQL over HTTP), by
 * `extensions.persistedQuery.sha256Hash` (Apollo's protocol), or sends a document whose text is
 * exactly one in the manifest. Anything else is refused with `PERSISTED_QUERY_NOT_ALLOWED` before
 * it is even parsed.
 */
export interface TrustedDocuments {
  /** Manifest id → document. */
  byId: ReadonlyMap<string, string>;
  /** sha256 (hex) of every document, for requests that send the text itself. */
  hashes: ReadonlySet<string>;
}

/** `sha256:<hex>` (GraphQL over HTTP's prefixed form) and `<hex>` name the same document. */
const normalizeId = (id: string): string => id.replace(/^sha256:/i, '');

function manifestEntries(json: unknown, origin: string): [string, unknown][] {
  if (!isRecord(json)) throw new ConfigError(`${origin}: a trusted documents manifest must be a JSON object`);
  if (json.format === 'apollo-persisted-query-manifest') {
    if (!Array.isArray(json.operations)) throw new ConfigError(`${origin}: "operations" must be an array`);
    return json.operations.map((operation, i): [string, unknown] => {
      if (!isRecord(operation) || typeof operation.id !== 'string') throw new ConfigError(`${origin}: operations[${i}] has no string "id"`);
      return [operation.id, operation.body];
    });
  }
  return Object.entries(json);
}

/** Reads a manifest object; every entry must be a document that parses. */
export function parseTrustedDocuments(json: unknown, origin: string): TrustedDocuments {
  const byId = new Map<string, string>();
  const hashes = new Set<string>();
  for (const [id, body] of manifestEntries(json, origin)) {
    if (typeof body !== 'string' || body.trim() === '') throw new ConfigError(`${origin}: the document of "${id}" is not a non-empty string`);
    try {
      parse(body);
    } catch (error) {
      throw new ConfigError(`${origin}: the document of "${id}" does not parse: ${(error as Error).message}`);
    }
    byId.set(normalizeId(id), body);
    hashes.add(sha256(body));
  }
  if (byId.size === 0) throw new ConfigError(`${origin}: the trusted documents manifest lists no document`);
  return { byId, hashes };
}

/** Loads the manifest at start; a missing or broken file stops the gateway with a ConfigError. */
export function loadTrustedDocuments(path: string): TrustedDocuments {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`SAIL_TRUSTED_DOCUMENTS: cannot read "${path}" as JSON: ${(error as Error).message}`);
  }
  return parseTrustedDocuments(json, `SAIL_TRUSTED_DOCUMENTS (${path})`);
}

function notAllowed(message: string): GraphQLError {
  return refusalError('PERSISTED_QUERY_NOT_ALLOWED', message);
}

function documentIdOf(request: GraphQLRequest): string | undefined {
  const { http } = request;
  const fromBody = http && isRecord(http.body) ? http.body.documentId : undefined;
  const fromSearch = http?.method === 'GET' ? (new URLSearchParams(http.search).get('documentId') ?? undefined) : undefined;
  const persisted: unknown = request.extensions?.persistedQuery;
  const fromExtension = isRecord(persisted) ? persisted.sha256Hash : undefined;
  const id = [fromBody, fromSearch, fromExtension].find((value) => typeof value === 'string' && value !== '');
  return typeof id === 'string' ? id : undefined;
}

/**
 * Puts the manifest's text into a request that names a listed document, or answers why the
 * request is refused. The persisted-query extension is dropped either way: the manifest, not
 * Apollo's APQ cache, answers ids.
 */
export function admitTrustedDocument(request: GraphQLRequest, docs: TrustedDocuments): GraphQLError | undefined {
  const id = documentIdOf(request);
  dropPersistedQuery(request);
  if (typeof request.query === 'string' && request.query !== '') {
    if (docs.hashes.has(sha256(request.query))) return undefined;
    return notAllowed('This gateway runs only trusted documents (SAIL_TRUSTED_DOCUMENTS), and this document is not one of them');
  }
  if (id !== undefined) {
    const body = docs.byId.get(normalizeId(id));
    if (body === undefined) return notAllowed(`No trusted document has the id "${id.slice(0, 80)}" (SAIL_TRUSTED_DOCUMENTS)`);
    request.query = body;
    return undefined;
  }
  return notAllowed('This gateway runs only trusted documents (SAIL_TRUSTED_DOCUMENTS): send a documentId or persistedQuery hash from the manifest');
}

/**
 * Apollo plugin for the trusted documents mode: a refused request's own text is never parsed, and
 * nothing of it runs.
 */
export function trustedDocumentsPlugin(docs: TrustedDocuments): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request }) {
      const refused = admitTrustedDocument(request, docs);
      return refused ? refuseBeforeParsing(request, refused) : undefined;
    },
  };
}
