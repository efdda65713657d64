import type http from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';
import type { Resolvers } from '../generated/graphql.js';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

/** One entry of the route table: answers the request and says true, or says false to pass it on. */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;

/** What observability adds to the HTTP server. */
export interface ServerObservability {
  plugins: ApolloServerPlugin<Context>[];
  /** Extra routes by exact path (`/metrics`), served before `/graphql`, also while draining. */
  routes: Record<string, RouteHandler>;
  /** Runs the handling of one `/graphql` request (e.g. inside the operation's trace span and context). */
  aroundGraphQL<T>(req: http.IncomingMessage, requestId: string, run: () => Promise<T>): Promise<T>;
  /** Wraps resolvers before the schema is built (resolver spans). */
  schemaResolvers?: (resolvers: Resolvers) => Resolvers;
  /** A GraphQL request answered before Apollo saw it (draining, body too large or not JSON, request limits). */
  onRefused?: (errors: readonly { extensions?: Record<string, unknown> }[]) => void;
}
