import type http from 'node:http';
import type { Refusal } from '../shared/errors.js';
import type { ServerObservability } from './types.js';

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** A request header as one string (repeated headers joined, as Node joins most of them). */
export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Answers a GraphQL request Apollo never sees (draining, body refused, request limits). */
export type Refuse = (res: http.ServerResponse, refusal: Refusal) => void;

/** Refusals are counted by observability before they are sent. */
export function refuser(observability: ServerObservability | undefined): Refuse {
  return (res, { status, body }) => {
    observability?.onRefused?.(body.errors);
    sendJson(res, status, body);
  };
}
