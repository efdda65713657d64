import type http from 'node:http';

/** One route of the HTTP server (`/metrics`, `/healthz`…): answers the request itself. */
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
