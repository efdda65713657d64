import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { createLogger, type Logger } from '../../src/log/logger.js';
import type { UpstreamCallRecord } from '../../src/isc/client.js';
import { apolloLogger, maskUnexpectedErrors, requestLogPlugin, upstreamSummary } from '../../src/observability/request-log.js';
import { gatewayError } from '../../src/shared/errors.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjYWxsZXIifQ.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

const typeDefs = `type Query { ok: String, boom: String, echo(id: ID!): String, greet(name: String): String, upstream: String, plain: String! }`;
const resolvers = {
  Query: {
    ok: () => 'fine',
    greet: () => 'hello',
    // A bug: a plain Error whose message carries something internal.
    boom: () => {
      throw new Error(`pool exhausted, password=hunter2-db; last bearer Bearer ${JWT}`);
    },
    echo: (_: unknown, { id }: { id: string }) => {
      throw gatewayError('BAD_USER_INPUT', `id "${id}" is not valid`);
    },
    upstream: () => {
      throw gatewayError('UPSTREAM_ERROR', 'ISC answered 503: The service is temporarily unavailable', { httpStatus: 503, trackingId: 'trk-42' });
    },
    plain: () => null, // a resolver bug: graphql-js raises a plain Error for the null
  },
};

let server: ApolloServer;
const lines: Record<string, unknown>[] = [];
let logger: Logger;
beforeAll(async () => {
  logger = createLogger({ level: 'debug', output: (_level, line) => lines.push(JSON.parse(line) as Record<string, unknown>) });
  server = new ApolloServer({
    typeDefs,
    resolvers,
    plugins: [requestLogPlugin(logger)],
    formatError: maskUnexpectedErrors(logger),
    logger: apolloLogger(logger),
    includeStacktraceInErrorResponses: false,
  });
  await server.start();
});
afterAll(() => server.stop());

async function run(query: string, variables?: Record<string, unknown>, operationName?: string) {
  lines.length = 0;
  const response = await server.executeOperation({ query, variables, operationName });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  await afterAnswer();
  return response.body.singleResult;
}

/** The operation's line is written on the turn after its answer (see requestLogPlugin). */
const afterAnswer = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('request log plugin', () => {
  it('writes the line once the answer is out, not while the caller waits for it', async () => {
    lines.length = 0;
    const response = await server.executeOperation({ query: 'query Later { ok }' });
    expect(response.body.kind).toBe('single');
    expect(lines).toEqual([]);
    await afterAnswer();
    expect(lines).toEqual([expect.objectContaining({ msg: 'graphql operation', operationName: 'Later' })]);
  });

  it('logs one line per operation with its name, type, duration and status, never the document or variables', async () => {
    const result = await run('query Health($n: String) { ok aliasMarker: greet(name: $n) }', { n: 'variable-value-xyz' }, 'Health');
    expect(result.errors).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'graphql operation', operationName: 'Health', operationType: 'query', status: 200 });
    expect(typeof lines[0].durationMs).toBe('number');
    expect(lines[0].errors).toBeUndefined();
    expect(JSON.stringify(lines)).not.toContain('variable-value-xyz');
    expect(JSON.stringify(lines)).not.toContain('aliasMarker');
  });

  it('lists the error codes with ISC status and trackingId', async () => {
    const result = await run('query Upstream { upstream ok }', undefined, 'Upstream');
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', httpStatus: 503, trackingId: 'trk-42' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      operationName: 'Upstream',
      errorCount: 1,
      errors: [{ code: 'UPSTREAM_ERROR', path: 'upstream', httpStatus: 503, trackingId: 'trk-42' }],
    });
  });

  it('logs validation failures with their code', async () => {
    await run('{ nope }');
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'graphql operation', errors: [expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED' })] }),
    ]);
  });

  it('logs a refused request (context creation failed) with its code', async () => {
    lines.length = 0;
    const refusing = new ApolloServer<{ n: number }>({
      typeDefs,
      resolvers,
      plugins: [requestLogPlugin(logger)],
      formatError: maskUnexpectedErrors(logger),
    });
    await refusing.start();
    try {
      const response = await refusing.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: 'POST', headers: new HeaderMap([['content-type', 'application/json']]), search: '', body: { query: '{ ok }' } },
        context: async () => {
          throw new GraphQLError('A valid gateway API key (X-Api-Key) or an ISC bearer token is required', {
            extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
          });
        },
      });
      expect(response.status).toBe(401);
    } finally {
      await refusing.stop();
    }
    expect(lines).toEqual([expect.objectContaining({ msg: 'graphql request refused', code: 'UNAUTHENTICATED' })]);
  });
});

describe('request id and ISC calls', () => {
  it("carries the context's request id and a summary and list of the operation's ISC calls", async () => {
    lines.length = 0;
    const calls: UpstreamCallRecord[] = [
      { method: 'GET', route: 'connectors', status: 200, durationMs: 12.4 },
      { method: 'GET', route: 'connectors/{scriptName}', status: 503, durationMs: 30.6 },
      { method: 'GET', route: 'connectors/{scriptName}', error: 'ECONNRESET', durationMs: 2.2 },
      { method: 'GET', route: 'connector-customizers', status: 200, durationMs: 0.3, cached: true },
    ];
    const response = await server.executeOperation({ query: 'query Cat { ok }' }, { contextValue: { requestId: 'req-77', scope: { calls } } });
    expect(response.body.kind).toBe('single');
    await afterAnswer();
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'graphql operation',
        requestId: 'req-77',
        operationName: 'Cat',
        upstreamCalls: 4,
        upstreamTotalMs: 46, // 45.5 summed before rounding
        upstreamMaxMs: 31,
        upstream: [
          { method: 'GET', route: 'connectors', status: 200, durationMs: 12 },
          { method: 'GET', route: 'connectors/{scriptName}', status: 503, durationMs: 31 },
          { method: 'GET', route: 'connectors/{scriptName}', error: 'ECONNRESET', durationMs: 2 },
          { method: 'GET', route: 'connector-customizers', status: 200, durationMs: 0, cached: true },
        ],
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('upstreamCallsCapped');
  });

  it('says when no ISC call was made, and when the recorded list reached its cap', () => {
    expect(upstreamSummary(undefined)).toEqual({});
    expect(upstreamSummary([])).toEqual({ upstreamCalls: 0 });
    const fifty = Array.from(
      { length: 50 },
      (): UpstreamCallRecord => ({ method: 'GET', route: 'source-apps/{id}/access-profiles', status: 200, durationMs: 1 }),
    );
    expect(upstreamSummary(fifty)).toMatchObject({ upstreamCalls: 50, upstreamCallsCapped: true, upstreamTotalMs: 50, upstreamMaxMs: 1 });
  });
});

describe('formatError: masking unexpected errors', () => {
  it('answers "Internal server error" with an errorId, and logs the error (redacted) under that id', async () => {
    const result = await run('{ boom ok }');
    expect(result.data).toEqual({ boom: null, ok: 'fine' });
    expect(result.errors).toEqual([
      {
        message: 'Internal server error',
        locations: [{ line: 1, column: 3 }],
        path: ['boom'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', errorId: expect.any(String) },
      },
    ]);
    const errorId = result.errors![0].extensions!.errorId;
    const logged = lines.find((l) => l.msg === 'unexpected error');
    expect(logged).toMatchObject({
      level: 'error',
      errorId,
      path: 'boom',
      error: { name: 'Error', message: expect.stringContaining('pool exhausted') },
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain('hunter2-db');
    expect(text).not.toContain(JWT);
    expect(JSON.stringify(result)).not.toContain('pool exhausted');
    // The request line marks the operation as failed internally (level error).
    expect(lines.find((l) => l.msg === 'graphql operation')).toMatchObject({
      level: 'error',
      errors: [expect.objectContaining({ code: 'INTERNAL_SERVER_ERROR' })],
    });
  });

  it("keeps the gateway's own errors, with credentials masked from their messages", async () => {
    const result = await run('query($id: ID!) { echo(id: $id) }', { id: JWT });
    expect(result.errors?.[0]).toMatchObject({ message: 'id "[REDACTED]" is not valid', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('masks execution errors graphql-js raises for resolver bugs too, keeping the detail in the log', async () => {
    const result = await run('{ plain }');
    expect(result.errors?.[0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines.find((l) => l.msg === 'unexpected error')).toMatchObject({
      errorId: result.errors![0].extensions!.errorId,
      error: { message: 'Cannot return null for non-nullable field Query.plain.' },
    });
  });

  it('passes client errors (validation) through unchanged', async () => {
    const result = await run('{ nope }');
    expect(result.errors?.[0]).toMatchObject({
      message: 'Cannot query field "nope" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
  });
});

describe('Apollo logger adapter', () => {
  it("routes Apollo's own lines through the redacting logger", () => {
    lines.length = 0;
    apolloLogger(logger).error(`Unexpected error processing request: Bearer ${JWT}`);
    expect(lines).toEqual([
      expect.objectContaining({ level: 'error', source: 'apollo', msg: 'Unexpected error processing request: Bearer [REDACTED]' }),
    ]);
  });
});
