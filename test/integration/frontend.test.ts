import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SOURCE_APP_SEED } from '../../src/demo-tenant/seed/source-apps.js';
import { userAppsOf } from '../../src/demo-tenant/seed/user-apps.js';
import { startTestGateway, type TestGateway, type UpstreamCall } from '../support/gateway.js';
import { cookieHeader, gqlAs } from '../support/sign-in.js';
import { CHROMIUM, describeWith } from '../support/system-dependencies.js';
import { launchChromium } from '../support/browser.js';

/**
 * The example frontend (examples/frontend) in Chromium, served by the gateway in trusted-documents
 * mode with sign-in on the built-in demo tenant: what a user sees and does, and what the page can
 * never see (the session cookie, any ISC token). Screenshots go to test-output/frontend-*.png.
 */
// What the functions handed to page.evaluate use of the page's globals (tests compile without the DOM library).
declare const document: {
  cookie: string;
  documentElement: { outerHTML: string };
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const localStorage: object;
declare const sessionStorage: object;

const OUTPUT_DIR = path.resolve('test-output');
const MANIFEST = 'examples/frontend/src/gql/persisted-documents.json';
const TIMEOUT = 15_000;

describeWith(CHROMIUM, 'the example frontend in Chromium', (chromiumPath) => {
  let gw: TestGateway;
  let browser: Browser;
  let other: http.Server;
  let appUrl: string;
  let otherOrigin: string;
  /** Every response body the pages received, to look for tokens in. */
  const bodies: string[] = [];

  beforeAll(async () => {
    execFileSync(process.execPath, ['scripts/build-example.mjs'], { stdio: 'pipe', timeout: 60_000 });
    // A second same-site origin (localhost, another port) whose page calls the gateway cross-origin.
    other = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>other app</title>'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    otherOrigin = `http://localhost:${(other.address() as AddressInfo).port}`;
    gw = await startTestGateway({
      SAIL_FRONTEND_DIR: 'examples/frontend/dist',
      SAIL_TRUSTED_DOCUMENTS: MANIFEST,
      SAIL_CORS_ORIGINS: otherOrigin,
      SAIL_RATE_LIMIT_WAIT_MS: '0',
    });
    appUrl = `http://localhost:${new URL(gw.url).port}/app/`;
    browser = await launchChromium(chromiumPath);
    mkdirSync(OUTPUT_DIR, { recursive: true });
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    other?.close();
  });

  async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('response', (response) => {
      response
        .text()
        .then((text) => bodies.push(text, JSON.stringify(response.headers())))
        .catch(() => undefined); // redirects have no body
    });
    return { context, page };
  }

  async function signInAs(page: Page, user: string): Promise<void> {
    await page.goto(appUrl);
    await page.getByTestId('signin-link').click();
    await page.locator(`button[name="user"][value="${user}"]`).click();
    await page.getByTestId('user-name').waitFor();
    expect(await page.getByTestId('user-name').textContent()).toBe(user);
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(OUTPUT_DIR, `frontend-${name}.png`), fullPage: true });

  /** The ISC user tokens the demo tenant has seen the gateway use. */
  const userTokens = (): string[] =>
    [...new Set(gw.tenant.requests.map((r) => (r.headers.authorization ?? '').replace(/^Bearer /, '')))].filter((token) => token.length > 20);

  it('signs in through ISC’s page, pages through connectors, opens a detail and fetches its files only when asked; the read-only user’s write shows ISC’s 403', async () => {
    const { context, page } = await newPage();
    await page.goto(appUrl);
    await page.getByTestId('signin-link').waitFor();
    await shot(page, 'signed-out');
    await signInAs(page, 'rita.reader');

    await page.getByTestId('connector-item').first().waitFor();
    const firstPage = await page.getByTestId('connectors-page').textContent();
    await page.getByTestId('connectors-next').click();
    await page.waitForFunction((before) => document.querySelector('[data-testid="connectors-page"]')?.textContent !== before, firstPage);
    await page.getByTestId('connectors-previous').click();
    await page.waitForFunction((before) => document.querySelector('[data-testid="connectors-page"]')?.textContent === before, firstPage);

    gw.reset();
    const item = page.getByTestId('connector-item').first();
    const scriptName = (await item.getAttribute('data-script-name'))!;
    await item.click();
    await page.getByTestId('connector-detail-name').waitFor();
    const fileCalls = () => gw.calls().filter((c) => c.path.startsWith(`/connectors/v1/${encodeURIComponent(scriptName)}/`));
    expect(fileCalls()).toEqual([]);
    await page.getByTestId('connector-files-open').click();
    await page.getByTestId('connector-file').first().waitFor();
    expect(fileCalls().length).toBeGreaterThan(0);
    await shot(page, 'connector-detail');

    await page.getByTestId('nav-customizers').click();
    await page.getByTestId('customizer-name').fill('rita-tries-to-write');
    await page.getByTestId('customizer-create').click();
    await page.getByTestId('error-code').waitFor();
    expect(await page.getByTestId('error-code').textContent()).toBe('FORBIDDEN');
    expect(await page.getByTestId('error-http-status').textContent()).toBe('403');
    expect(await page.getByTestId('error-tracking-id').textContent()).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.getByTestId('retry-button').count()).toBe(0); // trying again cannot change ISC's 403
    await shot(page, 'forbidden');

    // What the page's JavaScript can see: no session cookie, no token anywhere.
    const visible = await page.evaluate(() =>
      [document.cookie, JSON.stringify(localStorage), JSON.stringify(sessionStorage), document.documentElement.outerHTML].join('\n'),
    );
    expect(visible).not.toContain('isc-gw-session');
    const tokens = userTokens();
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) expect([visible.includes(token), bodies.some((body) => body.includes(token))]).toEqual([false, false]);
    expect(bodies.some((body) => /eyJ[A-Za-z0-9_-]{10,}\.eyJ/.test(body))).toBe(false);
    await context.close();
  }, 60_000);

  it('creates an OAuth client and shows its secret once; sign-out ends the session and the old cookie is refused', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    await page.getByTestId('nav-oauth-clients').click();
    await page.getByTestId('oauth-name').fill('Browser-made client');
    await page.getByTestId('oauth-description').fill('Created by the example frontend test');
    await page.getByTestId('oauth-create').click();
    await page.getByTestId('oauth-secret').waitFor();
    expect((await page.getByTestId('oauth-secret').textContent())!.length).toBeGreaterThan(20);
    await shot(page, 'oauth-secret');
    await page.getByTestId('nav-connectors').click();
    await page.getByTestId('nav-oauth-clients').click();
    await page.getByTestId('oauth-name').waitFor();
    expect(await page.getByTestId('oauth-secret').count()).toBe(0);

    const [session] = (await context.cookies()).filter((c) => c.name === 'isc-gw-session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const base = new URL(gw.url).origin;
    const whoIs = () => fetch(`${base}/auth/session`, { headers: { cookie: cookieHeader({ [session.name]: session.value }) } }).then((r) => r.json());
    expect(await whoIs()).toMatchObject({ signedIn: true, user: { name: 'ada.admin' } });
    await page.getByTestId('signout-button').click();
    await page.getByTestId('signin-link').waitFor();
    await shot(page, 'signed-out-after');
    expect(await whoIs()).toEqual({ signedIn: false });
    expect((await gqlAs(base, { [session.name]: session.value }, '{ __typename }')).status).toBe(401);
    await context.close();
  }, 60_000);

  it('looks up source apps chosen by id in one request, batched by the gateway into one ISC call', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    await page.getByTestId('nav-source-apps').click();
    await page.getByTestId('source-app-choice').nth(2).waitFor();
    const chips = page.getByTestId('source-app-choice');
    const chosen = [
      await chips.nth(0).getAttribute('data-id'),
      await chips.nth(1).getAttribute('data-id'),
      await chips.nth(2).getAttribute('data-id'),
    ];
    for (let i = 0; i < 3; i++) await chips.nth(i).click();
    expect((await page.getByTestId('source-app-ids').inputValue()).split(/,\s*/)).toEqual(chosen);
    await page.getByTestId('source-app-ids').fill(`${await page.getByTestId('source-app-ids').inputValue()}, no-such-app`);
    gw.reset();
    await page.getByTestId('source-app-lookup').click();
    await page.getByTestId('source-app-missing').waitFor();
    expect(await page.getByTestId('source-app-result').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-id')))).toEqual(chosen);
    expect(await page.getByTestId('source-app-missing').getAttribute('data-id')).toBe('no-such-app');
    await shot(page, 'source-apps-by-id');
    const lookups = gw.calls().filter((c) => c.path === '/source-apps/v1/all');
    expect(lookups).toHaveLength(1);
    expect(lookups[0].query.filters).toBe(`id in (${[...chosen, 'no-such-app'].map((id) => JSON.stringify(id)).join(',')})`);
    await context.close();
  }, 60_000);

  it('refuses a document outside the manifest, even from the signed-in page', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    const answer = await page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ oauthClients { id secret } }' }),
      });
      return { status: response.status, body: (await response.json()) as { errors?: { extensions?: { code?: string } }[] } };
    });
    expect({ status: answer.status, code: answer.body.errors?.[0].extensions?.code }).toEqual({ status: 400, code: 'PERSISTED_QUERY_NOT_ALLOWED' });
    await context.close();
  }, 60_000);

  it('a second same-site origin calls with traceparent and x-request-id (preflight passes, the session cookie goes along) and reads X-Request-Id', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8')) as Record<string, string>;
    const [id] = Object.entries(manifest).find(([, document]) => document.includes('SourceAppChoices'))!;
    const other = await context.newPage();
    await other.goto(`${otherOrigin}/`);
    const answer = await other.evaluate(
      async ({ graphql, hash }) => {
        const response = await fetch(graphql, {
          method: 'POST',
          credentials: 'include',
          headers: {
            'content-type': 'application/json',
            'x-request-id': 'browser-request-1',
            traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
          },
          body: JSON.stringify({ operationName: 'SourceAppChoices', extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
        });
        const body = (await response.json()) as { data?: { sourceApps?: { items: unknown[] } }; errors?: unknown[] };
        return {
          status: response.status,
          requestId: response.headers.get('x-request-id'),
          items: body.data?.sourceApps?.items.length,
          errors: body.errors,
        };
      },
      { graphql: `http://localhost:${new URL(gw.url).port}/graphql`, hash: id.replace(/^sha256:/, '') },
    );
    expect(answer).toEqual({ status: 200, requestId: 'browser-request-1', items: expect.any(Number), errors: undefined });
    // It ran as the signed-in user: ada's token reached ISC.
    expect(gw.tenant.requests.at(-1)?.path).toBe('/source-apps/v1');
    await context.close();
  }, 60_000);

  /** The user an ISC bearer token was issued to (the demo tenant's tokens are JWTs naming `user_name`). */
  const userOfBearer = (authorization: string | undefined): unknown =>
    JSON.parse(Buffer.from((authorization ?? '').replace(/^Bearer /, '').split('.')[1] ?? '', 'base64url').toString() || '{}').user_name;
  const userAppHeaders = (authorization: string) => ({ authorization, accept: 'application/json', 'x-sailpoint-experimental': 'true' });
  /** A user-apps read as ISC receives it from the gateway. */
  const userAppRead = (authorization: string, path: string, query: Record<string, string>): UpstreamCall => ({
    method: 'GET',
    path,
    query,
    headers: userAppHeaders(authorization),
    body: '',
  });
  /** Waits (bounded) until the tenant has received `count` calls since the last reset. */
  async function callsReceived(count: number): Promise<void> {
    const deadline = Date.now() + TIMEOUT;
    while (gw.calls().length < count && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  /** The "My apps" rows as the page shows them. */
  const myAppRows = (page: Page) =>
    page.getByTestId('my-app').evaluateAll((rows) =>
      rows.map((row) => ({
        id: row.getAttribute('data-id'),
        name: row.querySelector('[data-testid="my-app-name"]')?.textContent,
        account: row.querySelector('[data-testid="my-app-account"]')?.textContent,
        source: row.querySelector('[data-testid="my-app-source"]')?.textContent,
      })),
    );
  /** A user's seeded apps as the page must show them: the source app's name, the account in use (the first), the source. */
  const seededRows = (alias: string) =>
    userAppsOf(alias).map((app) => ({
      id: app.id,
      name: SOURCE_APP_SEED.apps.find((a) => a.id === app.sourceApp.id)!.name,
      account: app.availableAccounts[0].displayName,
      source: app.source.name,
    }));
  const byId = <T extends { id: string | null }>(rows: T[]): T[] => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));
  /** Opens "My apps" once the landing view's own call is done, so the calls recorded from then on are the view's. */
  async function openMyApps(page: Page, alias: string): Promise<void> {
    await page.getByTestId('connector-item').first().waitFor();
    gw.reset();
    await page.getByTestId('nav-my-apps').click();
    await page
      .getByTestId('my-app')
      .nth(userAppsOf(alias).length - 1)
      .waitFor();
  }
  const myApp = (page: Page, id: string) => page.locator(`[data-testid="my-app"][data-id="${id}"]`);
  const accountOption = (page: Page, id: string) => page.locator(`[data-testid="my-app-account-option"][data-id="${id}"]`);

  it('“My apps”: ada sees exactly her apps, reads an app’s accounts only when she opens it, chooses another and the list shows it', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    await openMyApps(page, 'ada.admin');
    expect(byId(await myAppRows(page))).toEqual(byId(seededRows('ada.admin')));
    // One ISC call for the list, with ada's token: the apps' names came with it.
    const [list] = gw.calls();
    expect(userOfBearer(list.headers.authorization)).toBe('ada.admin');
    const ada = list.headers.authorization!;
    const listRead = userAppRead(ada, '/user-apps/v1', { limit: '101', offset: '0' });
    expect(gw.calls()).toEqual([listRead]);

    const app = userAppsOf('ada.admin').find((a) => a.availableAccounts.length === 3)!;
    const [inUse, , chosen] = app.availableAccounts;
    const appReads = [
      userAppRead(ada, '/user-apps/v1', { filters: `id eq "${app.id}"`, limit: '2', offset: '0' }),
      userAppRead(ada, `/user-apps/v1/${app.id}/available-accounts`, { limit: '250', count: 'true' }),
    ];
    gw.reset();
    await myApp(page, app.id).getByTestId('my-app-open').click();
    await page.getByTestId('my-app-account-option').nth(2).waitFor();
    expect(await page.getByTestId('my-app-account-option').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(
      app.availableAccounts.map((a) => a.id),
    );
    expect(await page.getByTestId('my-app-account-name').allTextContents()).toEqual(app.availableAccounts.map((a) => a.displayName));
    expect(await accountOption(page, inUse.id).getByTestId('my-app-account-in-use').count()).toBe(1);
    expect(await page.getByTestId('my-app-account-choose').count()).toBe(2);
    expect(await page.getByTestId('my-app-accounts-more').count()).toBe(0); // 3 of 3: nothing beyond ISC's page
    // The graph reaches a user app only through a list: the app by id, then its accounts (counted).
    expect(gw.calls()).toEqual(appReads);

    gw.reset();
    await accountOption(page, chosen.id).getByTestId('my-app-account-choose').click();
    await page.waitForFunction(
      ({ id, name }) => document.querySelector(`[data-testid="my-app"][data-id="${id}"] [data-testid="my-app-account"]`)?.textContent === name,
      { id: app.id, name: chosen.displayName },
    );
    expect(await page.getByTestId('my-app-detail-account').textContent()).toBe(chosen.displayName);
    expect(await page.getByTestId('my-app-chosen').textContent()).toBe(`Now using ${chosen.displayName}.`);
    await accountOption(page, chosen.id).getByTestId('my-app-account-in-use').waitFor();
    expect(await page.getByTestId('my-app-account-in-use').count()).toBe(1);
    await shot(page, 'my-apps');
    // The choice, then what urql's document cache reads again (queries holding the changed UserApp):
    // the list, and the opened app's accounts. The two reads run side by side: their order is free.
    await callsReceived(4);
    const [patch, ...reads] = gw.calls();
    expect(patch).toEqual({
      method: 'PATCH',
      path: `/user-apps/v1/${app.id}`,
      query: {},
      headers: { ...userAppHeaders(ada), 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'replace', path: '/account', value: { id: chosen.id, type: 'ACCOUNT' } }]),
    });
    const inOrder = (calls: UpstreamCall[]): UpstreamCall[] =>
      [...calls].sort((a, b) => `${a.path} ${JSON.stringify(a.query)}`.localeCompare(`${b.path} ${JSON.stringify(b.query)}`));
    expect(inOrder(reads)).toEqual(inOrder([listRead, ...appReads]));
    await context.close();
  }, 60_000);

  it('“My apps”: rita sees her own apps, none of ada’s; her choice shows ISC’s 403 and her account stays', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'rita.reader');
    await openMyApps(page, 'rita.reader');
    expect(byId(await myAppRows(page))).toEqual(byId(seededRows('rita.reader')));
    const [list] = gw.calls();
    expect(userOfBearer(list.headers.authorization)).toBe('rita.reader');
    const rita = list.headers.authorization!;
    expect(gw.calls()).toEqual([userAppRead(rita, '/user-apps/v1', { limit: '101', offset: '0' })]);
    const shown = await page.getByTestId('section-my-apps').innerHTML();
    const adas = userAppsOf('ada.admin').flatMap((a) => [a.id, a.sourceApp.name]);
    expect(adas.filter((text) => shown.includes(text))).toEqual([]);

    const app = userAppsOf('rita.reader').find((a) => a.availableAccounts.length === 2)!;
    const [inUse, other] = app.availableAccounts;
    await myApp(page, app.id).getByTestId('my-app-open').click();
    await page.getByTestId('my-app-account-option').nth(1).waitFor();
    gw.reset();
    await accountOption(page, other.id).getByTestId('my-app-account-choose').click();
    await page.getByTestId('error-code').waitFor();
    expect(await page.getByTestId('error-code').textContent()).toBe('FORBIDDEN');
    expect(await page.getByTestId('error-http-status').textContent()).toBe('403');
    expect(await page.getByTestId('error-tracking-id').textContent()).toMatch(/^[0-9a-f]{32}$/);
    expect(await page.getByTestId('retry-button').count()).toBe(0);
    await shot(page, 'my-apps-forbidden');
    // ISC refused the one call; nothing was read again, and the page still shows the account in use.
    expect(gw.calls()).toEqual([
      {
        method: 'PATCH',
        path: `/user-apps/v1/${app.id}`,
        query: {},
        headers: { ...userAppHeaders(rita), 'content-type': 'application/json-patch+json' },
        body: JSON.stringify([{ op: 'replace', path: '/account', value: { id: other.id, type: 'ACCOUNT' } }]),
      },
    ]);
    expect(await myApp(page, app.id).getByTestId('my-app-account').textContent()).toBe(inUse.displayName);
    expect(await accountOption(page, inUse.id).getByTestId('my-app-account-in-use').count()).toBe(1);
    expect(await page.getByTestId('my-app-chosen').count()).toBe(0);
    // And ISC agrees: the reloaded page (a new client, no cache) reads her list again from ISC.
    gw.reset();
    await page.reload();
    await myApp(page, app.id).getByTestId('my-app-account').waitFor();
    expect(await myApp(page, app.id).getByTestId('my-app-account').textContent()).toBe(inUse.displayName);
    expect(gw.calls()).toEqual([userAppRead(rita, '/user-apps/v1', { limit: '101', offset: '0' })]);
    await context.close();
  }, 60_000);

  // Last: ISC's Retry-After pauses the sign-in client's budget in the gateway for the rest of the file.
  it('shows RATE_LIMITED with the seconds to wait, the retry disabled until then', async () => {
    const { context, page } = await newPage();
    await signInAs(page, 'ada.admin');
    await page.getByTestId('connector-item').first().waitFor();
    gw.tenant.setFaults({ rate429: 1, retryAfterSeconds: 30 });
    try {
      await page.getByTestId('connectors-next').click();
      await page.getByTestId('rate-limited').waitFor();
      expect(await page.getByTestId('retry-after').textContent()).toBe('30');
      expect(await page.getByTestId('retry-button').isDisabled()).toBe(true);
      await shot(page, 'rate-limited');
    } finally {
      gw.tenant.setFaults({});
    }
    await context.close();
  }, 60_000);
});
