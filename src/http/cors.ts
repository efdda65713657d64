import type http from 'node:http';
import { header } from './respond.js';

/** What browsers on allowed origins may send, and read: the headers README documents. */
const CORS_ALLOW_HEADERS =
  'content-type, authorization, x-api-key, apollo-require-preflight, x-apollo-operation-name, x-request-id, traceparent, tracestate, cache-control';
const CORS_EXPOSE_HEADERS = 'x-request-id, retry-after';

/**
 * CORS for the configured origins only: their answers may be read (with credentials), and a
 * preflight (`OPTIONS`, any path) is answered here, with the methods and headers only for them.
 * Returns whether the request was answered.
 */
export function cors(origins: readonly string[]): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const allowedOrigins = new Set(origins);
  return (req, res) => {
    const origin = header(req, 'origin');
    const allowed = origin !== undefined && origin !== '' && allowedOrigins.has(origin);
    if (allowed) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', CORS_EXPOSE_HEADERS);
      res.setHeader('vary', 'Origin');
    }
    if (req.method !== 'OPTIONS') return false;
    if (allowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-allow-headers', CORS_ALLOW_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.writeHead(204).end();
    return true;
  };
}
