import type http from 'node:http';

export type { RouteHandler } from '../shared/http-types.js';
export type { ServerObservability } from '../observability/index.js';

/** One entry of the route table: answers the request and says true, or says false to pass it on. */
export type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => boolean | Promise<boolean>;
