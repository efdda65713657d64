import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorBody } from './errors.js';

/** HTTP helpers of the demo tenant: reading requests, writing answers in ISC's shapes. */

/** One request as the tenant received it. */
export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** Arrival time (ms since epoch). */
  at: number;
  /** Status answered (undefined while pending, or when the connection was dropped). */
  status?: number;
}

export const MAX_BODY_BYTES = 16 * 1024 * 1024;
export const JSON_TYPE = 'application/json;charset=utf-8';

export const mediaType = (contentType: string | undefined): string => (contentType ?? '').split(';')[0].trim().toLowerCase();

/** Whether an Accept header admits `type` (missing header = anything; q=0 excludes). */
export function admits(accept: string | undefined, type: string): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  const [major] = type.split('/');
  return accept.split(',').some((entry) => {
    const [range, ...params] = entry.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) return false;
    return range === '*/*' || range === `${major}/*` || range === type;
  });
}

export function recordHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase();
    const value = req.rawHeaders[i + 1];
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  return headers;
}

/** Decoded query; for a repeated parameter the first value wins (as Spring binds it). */
export function decodeQuery(search: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(search)) if (!(k in query)) query[k] = v;
  return query;
}

export async function readBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function send(
  res: ServerResponse,
  status: number,
  body: string | undefined,
  contentType?: string,
  headers: Record<string, string> = {},
): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  if (body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', contentType ?? JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

export const sendJson = (res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>): void =>
  send(res, status, JSON.stringify(value), JSON_TYPE, headers);

export const sendError = (res: ServerResponse, status: number, text: string, causes?: string[]): void =>
  sendJson(res, status, errorBody(status, text, causes));
