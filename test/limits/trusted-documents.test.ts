import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { HeaderMap, type GraphQLRequest } from '@apollo/server';
import { ConfigError } from '../../src/config/index.js';
import { checkPersistedQuery, refuseBeforeParsing } from '../../src/limits/persisted-queries.js';
import { admitTrustedDocument, loadTrustedDocuments, parseTrustedDocuments } from '../../src/limits/trusted-documents.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const LIST = 'query List { oauthClients { id name } }';
const ONE = 'query One($id: ID!) { oauthClient(id: $id) { id } }';
const docs = parseTrustedDocuments({ [sha256(LIST)]: LIST, [`sha256:${sha256(ONE)}`]: ONE }, 'test');

describe('trusted documents manifest', () => {
  it("reads client codegen's { hash: document } map and Apollo's persisted query manifest", () => {
    expect([...docs.byId.keys()]).toEqual([sha256(LIST), sha256(ONE)]);
    const apollo = parseTrustedDocuments(
      { format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256(LIST), body: LIST, name: 'List', type: 'query' }] },
      'test',
    );
    expect(apollo.byId.get(sha256(LIST))).toBe(LIST);
    expect(apollo.hashes.has(sha256(LIST))).toBe(true);
  });

  it('refuses a broken manifest at start with a ConfigError that says what is wrong', () => {
    expect(() => parseTrustedDocuments([], 'm')).toThrow(new ConfigError('m: a trusted documents manifest must be a JSON object'));
    expect(() => parseTrustedDocuments({}, 'm')).toThrow(new ConfigError('m: the trusted documents manifest lists no document'));
    expect(() => parseTrustedDocuments({ abc: 42 }, 'm')).toThrow(new ConfigError('m: the document of "abc" is not a non-empty string'));
    expect(() => parseTrustedDocuments({ abc: '{ oops' }, 'm')).toThrow(/m: the document of "abc" does not parse: Syntax Error/);
    expect(() => parseTrustedDocuments({ format: 'apollo-persisted-query-manifest', operations: [{ body: LIST }] }, 'm')).toThrow(
      new ConfigError('m: operations[0] has no string "id"'),
    );
    expect(() => loadTrustedDocuments('/nonexistent/manifest.json')).toThrow(ConfigError);
  });

  it('loads a manifest file', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'trusted-')), 'manifest.json');
    writeFileSync(file, JSON.stringify({ [sha256(LIST)]: LIST }));
    expect(loadTrustedDocuments(file).byId.get(sha256(LIST))).toBe(LIST);
  });
});

describe('admitting a request', () => {
  const post = (body: Record<string, unknown>): GraphQLRequest => ({
    query: typeof body.query === 'string' ? body.query : undefined,
    extensions: typeof body.extensions === 'object' && body.extensions !== null ? { ...body.extensions } : undefined,
    http: { method: 'POST', headers: new HeaderMap(), search: '', body },
  });

  it('puts the manifest text into a request that names it by documentId or persistedQuery hash', () => {
    const byId = post({ documentId: `sha256:${sha256(ONE)}` });
    expect(admitTrustedDocument(byId, docs)).toBeUndefined();
    expect(byId.query).toBe(ONE);

    const byHash = post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(LIST) }, other: 1 } });
    expect(admitTrustedDocument(byHash, docs)).toBeUndefined();
    expect(byHash).toMatchObject({ query: LIST, extensions: { other: 1 } });
    expect(byHash.extensions).not.toHaveProperty('persistedQuery');
  });

  it('admits the exact text of a listed document', () => {
    expect(admitTrustedDocument(post({ query: LIST }), docs)).toBeUndefined();
  });

  it('refuses anything else with PERSISTED_QUERY_NOT_ALLOWED', () => {
    const cases = [
      post({ query: `${LIST} ` }),
      post({ documentId: 'f00' }),
      post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ x }') } } }),
      post({}),
    ];
    for (const request of cases) {
      const refused = admitTrustedDocument(request, docs);
      expect(refused?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_ALLOWED', http: { status: 400 } });
      expect(refused?.message).toMatch(/SAIL_TRUSTED_DOCUMENTS/);
    }
  });

  it('a refused request runs a placeholder instead of its own text, and answers the refusal once resolved', () => {
    const request = post({ query: '{ oauthClients { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } });
    const listener = refuseBeforeParsing(request, admitTrustedDocument(request, docs)!);
    expect(request.query).toBe('{ __typename }');
    expect(request.extensions).toEqual({});
    expect(typeof listener.didResolveOperation).toBe('function');
  });
});

describe('automatic persisted queries: malformed extensions', () => {
  const query = '{ oauthClients { id } }';
  it.each([
    ['a string', 'x'],
    ['another version', { version: 2, sha256Hash: sha256(query) }],
    ['a hash that is not 64 hex digits', { version: 1, sha256Hash: 'abc' }],
    ['an upper-case hash', { version: 1, sha256Hash: sha256(query).toUpperCase() }],
  ])('refuses %s as BAD_REQUEST', (_name, persistedQuery) => {
    expect(checkPersistedQuery({ query, extensions: { persistedQuery } })?.extensions).toEqual({ code: 'BAD_REQUEST', http: { status: 400 } });
  });

  it('refuses a hash that is not the hash of the query sent with it; passes a matching one and a hash alone', () => {
    expect(checkPersistedQuery({ query: '{ x }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } })?.message).toBe(
      'extensions.persistedQuery.sha256Hash is not the SHA-256 of the query sent with it',
    );
    expect(checkPersistedQuery({ query, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } })).toBeUndefined();
    expect(checkPersistedQuery({ extensions: { persistedQuery: { version: 1, sha256Hash: sha256(query) } } })).toBeUndefined();
    expect(checkPersistedQuery({ query })).toBeUndefined();
  });
});
