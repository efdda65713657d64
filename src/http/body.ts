import type http from 'node:http';
import { httpRefusal, type Refusal } from '../shared/errors.js';
import { header } from './respond.js';

class BodyTooLarge extends Error {}

/** The charsets that name UTF-8, the only encoding GraphQL over HTTP uses. */
const UTF_8 = new Set(['utf-8', 'utf8']);

/** A Content-Type's media type (JSON or not) and its charset parameter, lower case. */
export function mediaTypeOf(value: string | undefined): { json: boolean; charset: string | undefined } {
  const [type = '', ...parameters] = (value ?? '').toLowerCase().split(';');
  const media = type.trim();
  const charset = parameters
    .map((p) => p.trim().split('='))
    .find(([name]) => name.trim() === 'charset')?.[1]
    ?.trim()
    .replace(/^"(.*)"$/, '$1');
  return { json: media === 'application/json' || media.endsWith('+json'), charset };
}

/**
 * Reads the body up to `limit` bytes. On overflow the rest is read and discarded (up to
 * `drainLimit` bytes, or for at most 10 s), so a client that writes its whole body before reading
 * gets the 413 answer instead of a reset connection; a body beyond that is cut.
 */
function readBody(req: http.IncomingMessage, limit: number, drainLimit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      req.off('data', onData).off('end', onEnd);
      const cut = () => {
        clearTimeout(timer);
        req.off('data', drain);
        reject(new BodyTooLarge());
      };
      const timer = setTimeout(cut, 10_000).unref();
      const drain = (more: Buffer) => {
        size += more.length;
        if (size > drainLimit) cut();
      };
      req.on('data', drain).once('end', cut);
    };
    const onEnd = () => resolve(Buffer.concat(chunks).toString('utf8'));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

/**
 * The body of a GraphQL request (`SAIL_MAX_BODY_BYTES` at most), parsed when it is JSON, or why
 * it is refused: not UTF-8, too large, or not valid JSON. A POST only: a GET has none.
 */
export async function readGraphQLBody(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  maxBodyBytes: number,
): Promise<{ body: unknown } | Refusal> {
  const contentType = mediaTypeOf(header(req, 'content-type'));
  if (req.method === 'POST' && contentType.charset !== undefined && !UTF_8.has(contentType.charset)) {
    return httpRefusal('BAD_REQUEST', `request bodies must be UTF-8 (Content-Type names charset=${contentType.charset.slice(0, 40)})`, {}, 415);
  }
  try {
    const text = req.method === 'POST' ? await readBody(req, maxBodyBytes, Math.max(8 * 1_048_576, 4 * maxBodyBytes)) : '';
    return { body: text && contentType.json ? JSON.parse(text) : text || undefined };
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) return httpRefusal('BAD_REQUEST', 'request body is not valid JSON');
    res.setHeader('connection', 'close');
    // A body still arriving (past the drain limit) is cut once the answer is out.
    res.once('finish', () => {
      if (!req.complete) req.destroy();
    });
    const limit = { limit: 'SAIL_MAX_BODY_BYTES', max: maxBodyBytes };
    return httpRefusal('BAD_REQUEST', `request body larger than ${maxBodyBytes} bytes (SAIL_MAX_BODY_BYTES)`, limit, 413);
  }
}
