import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the fake upstream received. */
export interface FakeHit {
  method: string;
  path: string;
  search: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

export type FakeRoute = (req: http.IncomingMessage, res: http.ServerResponse, hit: FakeHit) => void | Promise<void>;

export interface FakeUpstream {
  url: string;
  /** API requests (token requests apart), in arrival order. */
  hits: FakeHit[];
  tokenHits: FakeHit[];
  /** Resolves once an API request for `path` has arrived (bounded by `timeoutMs`). */
  arrived(path: string, timeoutMs?: number): Promise<FakeHit>;
  close(): Promise<void>;
}

/**
 * A scripted stand-in for ISC on loopback, for answers the demo tenant cannot give (huge or raw
 * bodies, redirects, held answers). `POST /oauth/token` issues a token unless `token` answers;
 * every other request goes to `route` (404 when it does not answer).
 */
export async function startFakeUpstream(route: FakeRoute, options: { token?: FakeRoute } = {}): Promise<FakeUpstream> {
  const hits: FakeHit[] = [];
  const tokenHits: FakeHit[] = [];
  const waiters: { path: string; resolve: (hit: FakeHit) => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const hit: FakeHit = {
        method: req.method ?? 'GET',
        path: url.pathname,
        search: url.search,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const isToken = hit.path === '/oauth/token';
      (isToken ? tokenHits : hits).push(hit);
      for (const waiter of waiters.filter((w) => w.path === hit.path)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(hit);
      }
      const handler: FakeRoute = isToken ? (options.token ?? issueToken) : route;
      Promise.resolve(handler(req, res, hit)).catch(() => res.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    tokenHits,
    arrived(path, timeoutMs = 10_000) {
      const seen = hits.find((h) => h.path === path);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no request for ${path} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ path, resolve: (hit) => (clearTimeout(timer), resolve(hit)) });
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

let issued = 0;
const issueToken: FakeRoute = (_req, res) => {
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ access_token: `fake-access-${++issued}`, token_type: 'bearer', expires_in: 749 }));
};

/** Answers JSON (the raw text as given, so tests can send what JSON.stringify cannot write). */
export function rawJson(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}
