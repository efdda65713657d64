import { readdirSync, readFileSync, statSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { ConfigError } from './config/parse.js';

/**
 * A frontend served by the gateway itself (`SAIL_FRONTEND_DIR`, at `/app/`): same origin as
 * `/graphql` and `/auth/*`, the usual backend-for-frontend deployment. The directory is read once
 * at start, so a request can only ever name a file that was there (no path is resolved against the
 * disk at request time), and every answer forbids framing, sniffing and other origins.
 */
export interface StaticSite {
  /** Answers `pathname` if it is under the site's prefix; false otherwise. */
  serve(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): boolean;
}

export const SITE_PREFIX = '/app/';
const MAX_FILES = 2_000;
const MAX_BYTES = 64 * 1_048_576;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

function readSite(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let bytes = 0;
  const walk = (dir: string, relative: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const name = `${relative}${entry.name}`;
      if (entry.isDirectory()) walk(full, `${name}/`);
      else if (entry.isFile()) {
        const content = readFileSync(full);
        bytes += content.length;
        if (files.size >= MAX_FILES || bytes > MAX_BYTES)
          throw new ConfigError(`SAIL_FRONTEND_DIR holds more than ${MAX_FILES} files or ${MAX_BYTES} bytes`);
        files.set(name, content);
      }
    }
  };
  walk(root, '');
  return files;
}

export function loadStaticSite(dir: string): StaticSite {
  let files: Map<string, Buffer>;
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a directory');
    files = readSite(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`SAIL_FRONTEND_DIR: cannot read "${dir}": ${(error as Error).message}`);
  }
  if (!files.has('index.html')) throw new ConfigError(`SAIL_FRONTEND_DIR: "${dir}" has no index.html`);
  return {
    serve(req, res, pathname) {
      if (pathname === SITE_PREFIX.slice(0, -1)) {
        res.writeHead(308, { location: SITE_PREFIX }).end();
        return true;
      }
      if (!pathname.startsWith(SITE_PREFIX)) return false;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return true;
      }
      let name: string;
      try {
        name = decodeURIComponent(pathname.slice(SITE_PREFIX.length)) || 'index.html';
      } catch {
        name = '';
      }
      const content = files.get(name);
      if (!content) {
        res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
        return true;
      }
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': TYPES[path.extname(name)] ?? 'application/octet-stream',
        'content-length': content.length,
      });
      res.end(req.method === 'HEAD' ? undefined : content);
      return true;
    },
  };
}
