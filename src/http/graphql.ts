import type http from 'node:http';
import { HeaderMap, type ApolloServer, type HTTPGraphQLResponse } from '@apollo/server';
import type { Context } from '../context.js';
import type { QueryLimits } from '../limits/query-limits.js';
import { checkRequestLimits } from '../limits/request-checks.js';
import { readGraphQLBody } from './body.js';
import type { Caller } from './caller.js';
import { pendingContext, requestIdOf } from './context.js';
import { header, type Refuse } from './respond.js';
import type { Route, ServerObservability } from './types.js';

export interface GraphQLRouteOptions {
  apollo: ApolloServer<Context>;
  maxBodyBytes: number;
  limits: QueryLimits;
  refuse: Refuse;
  observability?: ServerObservability;
  /** Who calls (see resolveCaller): run by Apollo's context hook, so its errors are GraphQL answers. */
  callerOf: (req: http.IncomingMessage, requestId: string) => Promise<Caller>;
}

function headerMapOf(req: http.IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

async function send(res: http.ServerResponse, result: HTTPGraphQLResponse): Promise<void> {
  res.statusCode = result.status ?? 200;
  for (const [name, value] of result.headers) res.setHeader(name, value);
  if (result.body.kind === 'complete') {
    res.end(result.body.string);
    return;
  }
  for await (const chunk of result.body.asyncIterator) res.write(chunk);
  res.end();
}

/** `/graphql`: the body read within its limits, the request limits checked, then Apollo Server. */
export function graphqlRoute({ apollo, maxBodyBytes, limits, refuse, observability, callerOf }: GraphQLRouteOptions): Route {
  return async (req, res, url) => {
    if (url.pathname !== '/graphql') return false;
    const read = await readGraphQLBody(req, res, maxBodyBytes);
    const refusal = 'status' in read ? read : checkRequestLimits({ body: read.body, searchParams: url.searchParams }, limits);
    if (refusal) {
      refuse(res, refusal);
      return true;
    }
    const requestId = requestIdOf(header(req, 'x-request-id'));
    res.setHeader('x-request-id', requestId);
    const execute = () =>
      apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers: headerMapOf(req), search: url.search, body: read.body },
        context: async () => pendingContext(await callerOf(req, requestId)),
      });
    await send(res, observability ? await observability.aroundGraphQL(req, requestId, execute) : await execute());
    return true;
  };
}
