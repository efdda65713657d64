import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { principalOf } from '../../src/auth/credentials.js';
import { createLogger } from '../../src/log/logger.js';
import { auditMutations, auditPlugin, targetOf } from '../../src/observability/audit.js';
import { gatewayError } from '../../src/shared/errors.js';

const CREATED_SECRET = 'created-client-secret-3b7e0c1d9a';

const typeDefs = `
  type Thing { id: ID!, name: String, owner: Owner }
  type Owner { id: ID!, name: String }
  type Created { id: ID!, secret: String, name: String }
  type Connector { scriptName: ID!, name: String }
  type Query { thing(id: ID!): Thing }
  type Mutation {
    renameThing(id: ID!, name: String!): Thing!
    renameConnector(scriptName: ID!, name: String!): Boolean!
    createClient(name: String!): Created!
    createConnector(name: String!): Connector!
    bulkUpdate(ids: [ID!]!): Boolean!
    refuse(id: ID!): Boolean
    iscDown(id: ID!): Boolean
    bug: Boolean
    plain: Boolean
  }
`;
let nestedResolved = 0;
const resolvers = {
  Query: { thing: (_: unknown, { id }: { id: string }) => ({ id, name: 'read' }) },
  Thing: {
    owner: () => {
      nestedResolved++;
      return { id: 'o1', name: 'Owner' };
    },
  },
  Mutation: {
    renameThing: (_: unknown, { id, name }: { id: string; name: string }) => ({ id, name }),
    renameConnector: async () => true,
    // The answer of a create holds a secret: only its id may be read.
    createClient: async (_: unknown, { name }: { name: string }) => ({ id: 'new-client-1', name, secret: CREATED_SECRET }),
    createConnector: async (_: unknown, { name }: { name: string }) => ({ scriptName: 'acme-hr-feed', name }),
    bulkUpdate: () => true,
    refuse: () => {
      throw gatewayError('BAD_USER_INPUT', 'the update changes nothing');
    },
    iscDown: async () => {
      throw gatewayError('UPSTREAM_ERROR', 'ISC answered 503', { httpStatus: 503, trackingId: 'trk-1' });
    },
    bug: () => {
      throw new Error('a bug');
    },
  },
};

const lines: string[] = [];
const logger = createLogger({ level: 'info', output: (_level, line) => lines.push(line) });
const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => r.audit === true);
const context = { requestId: 'req-audit-1', principal: () => 'bearer:0123456789abcdef' };

let server: ApolloServer<typeof context>;
beforeAll(async () => {
  server = new ApolloServer<typeof context>({ typeDefs, resolvers, plugins: [auditPlugin(logger)] });
  await server.start();
});
afterAll(() => server.stop());
beforeEach(() => {
  lines.length = 0;
  nestedResolved = 0;
});

async function run(query: string, contextValue: Record<string, unknown> = context) {
  const response = await server.executeOperation({ query }, { contextValue: contextValue as typeof context });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  return response.body.singleResult;
}

describe('audit records of mutations', () => {
  it('writes one record per executed root mutation field, in order, after each completes', async () => {
    const result = await run(`mutation Tidy {
      renameThing(id: "t-1", name: "New") { id owner { name } }
      again: renameThing(id: "t-2", name: "Newer") { id }
      renameConnector(scriptName: "ad-connector", name: "AD")
    }`);
    expect(result.errors).toBeUndefined();
    expect(nestedResolved).toBe(1); // nested fields ran, and are not audited
    const base = {
      level: 'info',
      msg: 'audit',
      audit: true,
      requestId: 'req-audit-1',
      principal: 'bearer:0123456789abcdef',
      operationName: 'Tidy',
      outcome: 'success',
    };
    expect(records()).toEqual([
      { ...base, time: expect.any(String), operation: 'renameThing', targetId: 't-1' },
      { ...base, time: expect.any(String), operation: 'renameThing', targetId: 't-2' },
      { ...base, time: expect.any(String), operation: 'renameConnector', targetId: 'ad-connector' },
    ]);
  });

  it('names a created object by the id or scriptName of the answer, and never logs the answer', async () => {
    const result = await run('mutation { createClient(name: "Job") { id secret } createConnector(name: "HR") { name } }');
    expect(result.data).toMatchObject({ createClient: { secret: CREATED_SECRET } });
    expect(records()).toEqual([
      expect.objectContaining({ operation: 'createClient', targetId: 'new-client-1', outcome: 'success' }),
      expect.objectContaining({ operation: 'createConnector', targetId: 'acme-hr-feed', outcome: 'success' }),
    ]);
    expect(records()[0]).not.toHaveProperty('operationName');
    expect(lines.join('\n')).not.toContain(CREATED_SECRET);
  });

  it('records refused, failed and broken mutations as failures with their error code', async () => {
    const result = await run('mutation Bad { refuse(id: "t-9") iscDown(id: "t-8") bug plain }');
    expect(result.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT', 'UPSTREAM_ERROR', 'INTERNAL_SERVER_ERROR']);
    expect(records().map(({ operation, targetId, outcome, errorCode }) => ({ operation, targetId, outcome, errorCode }))).toEqual([
      { operation: 'refuse', targetId: 't-9', outcome: 'failure', errorCode: 'BAD_USER_INPUT' },
      { operation: 'iscDown', targetId: 't-8', outcome: 'failure', errorCode: 'UPSTREAM_ERROR' },
      { operation: 'bug', outcome: 'failure', errorCode: 'INTERNAL_SERVER_ERROR' },
      { operation: 'plain', outcome: 'success' }, // a field without a resolver is audited too
    ]);
  });

  it('lists the ids of a bulk operation', async () => {
    await run('mutation { bulkUpdate(ids: ["a1", "b2", "c3"]) }');
    expect(records()).toEqual([expect.objectContaining({ operation: 'bulkUpdate', targetId: ['a1', 'b2', 'c3'], outcome: 'success' })]);
    expect(records()[0]).not.toHaveProperty('targetCount');
  });

  it('writes nothing for queries', async () => {
    const result = await run('{ thing(id: "t-1") { id owner { id } } }');
    expect(result.errors).toBeUndefined();
    expect(lines).toEqual([]);
  });

  it('says "unknown" when the context carries no principal (another server than the gateway)', async () => {
    await run('mutation { renameThing(id: "t-3", name: "x") { id } }', {});
    expect(records()).toEqual([expect.objectContaining({ principal: 'unknown', targetId: 't-3' })]);
    expect(records()[0]).not.toHaveProperty('requestId');
  });

  it('wraps a schema once, however often it is asked to', async () => {
    const schema = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers });
    auditMutations(schema, logger);
    auditMutations(schema, logger);
    const twice = new ApolloServer<typeof context>({ schema, plugins: [auditPlugin(logger)] });
    await twice.start();
    try {
      await twice.executeOperation({ query: 'mutation { renameThing(id: "t-4", name: "x") { id } }' }, { contextValue: context });
    } finally {
      await twice.stop();
    }
    expect(records()).toHaveLength(1);
  });
});

describe('targetOf', () => {
  it('prefers the identifying argument, then bulk ids, then the created object', () => {
    expect(targetOf({ id: 'x1', input: { name: 'n' } }, { id: 'other' })).toEqual({ targetId: 'x1' });
    expect(targetOf({ scriptName: 'ad', locale: 'fr' }, true)).toEqual({ targetId: 'ad' });
    expect(targetOf({ input: {} }, { scriptName: 'created-sn', secret: 's' })).toEqual({ targetId: 'created-sn' });
    expect(targetOf({ input: {} }, null)).toEqual({});
    expect(targetOf({ input: {} }, { secret: 'only-a-secret' })).toEqual({});
  });

  it('bounds what a caller can put in a record: 50 ids of at most 128 characters', () => {
    const ids = Array.from({ length: 70 }, (_, i) => `id-${i}`);
    expect(targetOf({ ids }, true)).toEqual({ targetId: ids.slice(0, 50), targetCount: 70 });
    const long = 'x'.repeat(500);
    expect(targetOf({ id: long }, undefined)).toEqual({ targetId: `${'x'.repeat(128)}…` });
  });
});

describe('principalOf', () => {
  const sha16 = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

  it('names a bearer caller by a hash of its token and an API-key caller by a hash of the key, never the value', () => {
    const token = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdWRpdCJ9.c2lnbmF0dXJl';
    expect(principalOf({ kind: 'bearer', token }, undefined, false)).toBe(`bearer:${sha16(token)}`);
    expect(principalOf({ kind: 'bearer', token }, 'ignored-key', true)).toBe(`bearer:${sha16(token)}`);
    expect(principalOf({ kind: 'client-credentials' }, 'key-for-reports-7f', false)).toBe(`key:${sha16('key-for-reports-7f')}`);
    expect(principalOf({ kind: 'client-credentials' }, 'key-for-reports-7f', false)).not.toContain('key-for-reports-7f');
  });

  it('names the open loopback demo "demo"', () => {
    expect(principalOf({ kind: 'client-credentials' }, undefined, true)).toBe('demo');
  });
});
