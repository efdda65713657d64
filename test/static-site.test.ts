import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadStaticSite } from '../src/static-site.js';
import { ConfigError } from '../src/config/parse.js';

/** The frontend directory the gateway serves at /app/: only files that were there, with the page's security headers. */
describe('the static site (SAIL_FRONTEND_DIR)', () => {
  let root: string;
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'site-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
    writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmpdir(), 'outside-site.txt'), 'outside');
    const site = loadStaticSite(root);
    server = http.createServer((req, res) => {
      const pathname = new URL(req.url ?? '/', 'http://x.invalid').pathname;
      if (!site.serve(req, res, pathname)) res.writeHead(418).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.close();
    rmSync(root, { recursive: true, force: true });
  });

  // fetch() would normalise dot segments: send raw paths the way an attacker's client would.
  const raw = (path: string, method = 'GET') =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/`, { method, path }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves index.html at /app/ and files by their path, with CSP (frame-ancestors), nosniff and their types', async () => {
    const index = await raw('/app/');
    expect(index).toMatchObject({ status: 200, body: '<!doctype html><title>app</title>' });
    expect(index.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    expect(index.headers['x-content-type-options']).toBe('nosniff');
    expect((await raw('/app/assets/app.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(await raw('/app/assets/app.js', 'HEAD')).toMatchObject({ status: 200, body: '' });
    expect((await raw('/app')).headers.location).toBe('/app/');
    expect((await raw('/app/', 'POST')).status).toBe(405);
    expect((await raw('/other')).status).toBe(418);
  });

  it('never reaches outside the directory: dot segments, encoded ones, backslashes and absolute paths are simply unknown', async () => {
    for (const path of [
      '/app/../package.json',
      '/app/%2e%2e/outside-site.txt',
      '/app/..%2Foutside-site.txt',
      '/app/..%5Coutside-site.txt',
      '/app//etc/passwd',
      '/app/%2Fetc%2Fpasswd',
      '/app/assets/../../x',
      '/app/%00',
      '/app/%E0%A4%A',
    ]) {
      const answer = await raw(path);
      // 404 from the site, or not the site's path at all once the URL is normalised (418 here).
      expect({ path, served: answer.status === 200, outside: answer.body.includes('outside') }).toEqual({ path, served: false, outside: false });
    }
  });

  it('refuses at start a directory that is missing or has no index.html', () => {
    expect(() => loadStaticSite(join(root, 'missing'))).toThrow(ConfigError);
    expect(() => loadStaticSite(join(root, 'assets'))).toThrow(/no index.html/);
  });
});
