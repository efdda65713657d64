import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawnGateway, type ChildGateway } from '../support/child-gateway.js';
import { startTestGateway, useTestGateway } from '../support/gateway.js';
import { PACKAGE_VERSION } from '../support/package.js';
import { approveAs, cookiesSet, signIn } from '../support/sign-in.js';

/**
 * Where a newcomer lands: `/` leads somewhere (the playground, the frontend, or a short answer that
 * names the paths), signing in without `returnTo` ends on a page, and sign-in works whichever name
 * of the host it was started on.
 */
const origin = (url: string) => new URL(url).origin;
const manual = (headers: Record<string, string> = {}, method = 'GET'): RequestInit => ({
  method,
  headers,
  redirect: 'manual',
  signal: AbortSignal.timeout(10_000),
});
const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

describe('/ with the playground on (npm start)', () => {
  const gw = useTestGateway();

  it('sends a browser to the playground, which is served there', async () => {
    const home = await fetch(`${origin(gw.url)}/`, manual(BROWSER));
    expect([home.status, home.headers.get('location')]).toEqual([302, '/graphql']);
    const playground = await fetch(new URL(home.headers.get('location')!, gw.url), manual(BROWSER));
    expect([playground.status, playground.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect(gw.calls()).toEqual([]);
  });

  it('tells anyone else where the GraphQL endpoint and the health checks are, with the version', async () => {
    const home = await fetch(`${origin(gw.url)}/`, manual());
    expect(home.status).toBe(200);
    expect(await home.json()).toEqual({
      service: 'ISC GraphQL gateway',
      version: PACKAGE_VERSION,
      graphql: '/graphql',
      health: '/healthz',
      readiness: '/readyz',
    });
    const head = await fetch(`${origin(gw.url)}/`, manual({}, 'HEAD'));
    expect(head.status).toBe(200);
    const post = await fetch(`${origin(gw.url)}/`, manual({}, 'POST'));
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(gw.calls()).toEqual([]);
  });

  it('signing in as README says (no returnTo) ends on the playground, not on a 404', async () => {
    const { response } = await signIn(origin(gw.url), 'ada.admin');
    expect(response.headers.get('location')).toBe('/');
    const landed = await fetch(new URL(response.headers.get('location')!, gw.url), manual(BROWSER));
    expect(landed.status).toBe(302);
    const page = await fetch(new URL(landed.headers.get('location')!, gw.url), manual(BROWSER));
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
  });

  it('readiness names the version', async () => {
    const ready = await fetch(`${origin(gw.url)}/readyz`, manual());
    expect(await ready.json()).toMatchObject({ ready: true, version: PACKAGE_VERSION });
  });
});

describe('/ in production (no playground) and with a frontend', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'landing-site-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>app</title>');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('without a playground, a browser too gets the short answer', async () => {
    const gw = await startTestGateway({ SAIL_PLAYGROUND: 'off' });
    try {
      const home = await fetch(`${origin(gw.url)}/`, manual(BROWSER));
      expect(home.status).toBe(200);
      expect(await home.json()).toMatchObject({ graphql: '/graphql', health: '/healthz', readiness: '/readyz' });
    } finally {
      await gw.close();
    }
  });

  it('with SAIL_FRONTEND_DIR, a browser goes to the frontend', async () => {
    const gw = await startTestGateway({ SAIL_FRONTEND_DIR: dir });
    try {
      const home = await fetch(`${origin(gw.url)}/`, manual(BROWSER));
      expect([home.status, home.headers.get('location')]).toEqual([302, '/app/']);
      const app = await fetch(new URL('/app/', gw.url), manual(BROWSER));
      expect(app.status).toBe(200);
    } finally {
      await gw.close();
    }
  });
});

/**
 * A browser in miniature: cookies kept per host as a browser keeps them, redirects followed one
 * by one. The sign-in's cookies are only ever sent back to the host that set them.
 */
function browser() {
  const jars = new Map<string, Record<string, string>>();
  const cookieFor = (url: URL) =>
    Object.entries(jars.get(url.host) ?? {})
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  async function go(target: string | URL, init: { method?: string; body?: URLSearchParams } = {}): Promise<Response> {
    const url = new URL(target);
    const response = await fetch(url, { ...manual({ ...BROWSER, cookie: cookieFor(url) }, init.method), body: init.body });
    const jar = jars.get(url.host) ?? {};
    for (const [name, value] of Object.entries(cookiesSet(response))) {
      if (value === '') delete jar[name];
      else jar[name] = value;
    }
    jars.set(url.host, jar);
    return response;
  }
  return { go, jars };
}

describe('sign-in started on 127.0.0.1 while the public URL is localhost', () => {
  const gw = useTestGateway();

  it('completes: the browser is sent to the same path on the public origin first', async () => {
    const port = new URL(gw.url).port;
    const b = browser();
    const hops: string[] = [];
    let response = await b.go(`http://127.0.0.1:${port}/auth/login?returnTo=/graphql`);
    // The browser follows the gateway's redirects until it leaves for ISC's sign-in page.
    while (response.status === 302 && new URL(response.headers.get('location')!).pathname === '/auth/login') {
      hops.push(response.headers.get('location')!);
      response = await b.go(response.headers.get('location')!);
    }
    const back = await approveAs(new URL(response.headers.get('location')!), 'ada.admin');
    const done = await b.go(back);
    expect([done.status, done.headers.get('location')]).toEqual([303, '/graphql']); // not 400 "not started in this browser"
    expect(Object.keys(b.jars.get(`localhost:${port}`) ?? {})).toEqual(['isc-gw-session']);
    expect(hops).toEqual([`http://localhost:${port}/auth/login?returnTo=%2Fgraphql&hostChecked=1`]);
    expect(b.jars.get(`127.0.0.1:${port}`)).toEqual({}); // nothing bound to the other name
  });

  it('behind a proxy that rewrites Host, one hop only: the second request goes on to ISC', async () => {
    const port = new URL(gw.url).port;
    const hop = await fetch(`http://127.0.0.1:${port}/auth/login?hostChecked=1`, manual(BROWSER));
    expect(hop.status).toBe(302);
    expect(new URL(hop.headers.get('location')!).pathname).toBe('/oauth/authorize');
    const forwarded = await fetch(`http://127.0.0.1:${port}/auth/login`, manual({ ...BROWSER, 'x-forwarded-host': `localhost:${port}` }));
    expect(new URL(forwarded.headers.get('location')!).pathname).toBe('/oauth/authorize');
  });
});

describe('the ready line', () => {
  let child: ChildGateway | undefined;
  afterAll(() => child?.kill());

  it('prints the URL sign-in works on (the public origin) and the version', async () => {
    child = await spawnGateway({ SAIL_LOGIN: 'on' });
    const ready = child.records().find((r) => r.msg === 'ISC GraphQL gateway ready')!;
    expect(ready.version).toBe(PACKAGE_VERSION);
    expect(String(ready.url)).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    const login = await fetch(String(ready.url).replace('/graphql', '/auth/login'), manual(BROWSER));
    expect(new URL(login.headers.get('location')!).pathname).toBe('/oauth/authorize'); // no detour: this is the public origin
  });
});
