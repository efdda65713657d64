import type http from 'node:http';
import type { Logger } from '../log/logger.js';
import { httpRefusal } from '../shared/errors.js';
import { sendJson } from './respond.js';
import type { Route } from './types.js';

/**
 * The request handler: a URL that cannot be parsed is refused, CORS answers preflights, then the
 * first route of the table that answers wins; none answering is a 404. A route that fails is
 * logged and answers 500 (or the connection is cut when the answer had begun).
 */
export function router(
  cors: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
  routes: readonly Route[],
  logger: Logger,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://gateway.invalid');
    } catch {
      const { status, body } = httpRefusal('BAD_REQUEST', 'the request URL cannot be parsed');
      return sendJson(res, status, body);
    }
    if (cors(req, res)) return;
    for (const route of routes) if (await route(req, res, url)) return;
    sendJson(res, 404, { error: 'not found' });
  }
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('request handler failed', { error });
      const failed = httpRefusal('INTERNAL_SERVER_ERROR', 'internal error');
      if (!res.headersSent) sendJson(res, failed.status, failed.body);
      else res.destroy();
    });
  };
}
