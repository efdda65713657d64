import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { PLAYGROUND_EXAMPLES } from '../../src/playground/examples.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { CHROMIUM, describeWith } from '../support/system-dependencies.js';
import { launchChromium } from '../support/browser.js';

const OUTPUT_DIR = path.resolve('test-output');

describeWith(CHROMIUM, 'offline playground in Chromium', (chromiumPath) => {
  let gw: TestGateway;
  let browser: Browser;
  beforeAll(async () => {
    gw = await startTestGateway();
    browser = await launchChromium(chromiumPath);
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('loads GraphiQL from the gateway alone, runs a connectors query and shows the result', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));

    const response = await page.goto(gw.url, { waitUntil: 'load', timeout: 30_000 });
    expect(response?.headers()['content-type']).toContain('text/html');
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect(result.getByText('"scriptName"').first().waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    const text = await result.innerText();
    expect(text).toContain('"connectors"');
    expect(text).not.toContain('"errors"');

    // The docs come from the SDL descriptions.
    await page.locator('[aria-label="Show Documentation Explorer"]').click();
    await page.getByText('Query', { exact: true }).first().click();
    await expect(page.getByText('Connectors in the ISC catalogue', { exact: false }).first().waitFor({ timeout: 10_000 })).resolves.toBeUndefined();

    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'playground.png'), fullPage: true });

    const origin = new URL(gw.url).origin;
    const foreign = requested.filter((url) => !url.startsWith(origin) && !url.startsWith('data:'));
    expect(foreign).toEqual([]);
    expect(requested.some((url) => url.endsWith('/playground/graphiql.js'))).toBe(true);
    await context.close();
  }, 90_000);
});

describe('playground assets and examples', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => {
    await gw?.close();
  });

  it('serves only the known assets', async () => {
    const base = new URL(gw.url).origin;
    expect((await fetch(`${base}/playground/graphiql.css`)).status).toBe(200);
    expect((await fetch(`${base}/playground/../package.json`)).status).toBe(404);
    expect((await fetch(`${base}/playground/package.json`)).status).toBe(404);
  });

  it('every example operation runs against the demo tenant without errors', async () => {
    for (const example of PLAYGROUND_EXAMPLES) {
      const r = await gw.gql(example.query, example.variables);
      expect({ query: example.query, errors: r.errors }).toEqual({ query: example.query, errors: undefined });
    }
  });
});

describe('playground switch', () => {
  it('off: no IDE and no introspection', async () => {
    const off = await startTestGateway({ SAIL_PLAYGROUND: 'off' });
    try {
      const html = await fetch(off.url, { headers: { accept: 'text/html' } });
      expect(html.headers.get('content-type') ?? '').not.toContain('text/html');
      const r = await off.gql('{ __schema { queryType { name } } }');
      expect(r.errors?.map((e) => [e.message, e.extensions?.code, e.extensions?.limit])).toEqual([
        [
          'Introspection is off on this gateway (SAIL_INTROSPECTION=on turns it on; it follows SAIL_PLAYGROUND by default)',
          'GRAPHQL_VALIDATION_FAILED',
          'SAIL_INTROSPECTION',
        ],
      ]);
      const byType = await off.gql('{ connectors(limit: 1) { totalCount } t: __type(name: "Connector") { name } }');
      expect(byType.errors?.[0].extensions?.limit).toBe('SAIL_INTROSPECTION');
      expect(off.calls()).toEqual([]);
    } finally {
      await off.close();
    }
  });

  it('SAIL_INTROSPECTION=on with the playground off: introspection answers', async () => {
    const on = await startTestGateway({ SAIL_PLAYGROUND: 'off', SAIL_INTROSPECTION: 'on' });
    try {
      const r = await on.gql('{ __schema { queryType { name } } }');
      expect(r).toMatchObject({ data: { __schema: { queryType: { name: 'Query' } } } });
      expect(r.errors).toBeUndefined();
    } finally {
      await on.close();
    }
  });

  it('off by default in production', async () => {
    const prod = await startTestGateway({ NODE_ENV: 'production', SAIL_DEMO_TENANT: 'on' });
    try {
      const html = await fetch(prod.url, { headers: { accept: 'text/html' } });
      expect(html.headers.get('content-type') ?? '').not.toContain('text/html');
    } finally {
      await prod.close();
    }
  });

  it("sandbox: Apollo's embedded Sandbox page", async () => {
    const sandbox = await startTestGateway({ SAIL_PLAYGROUND: 'sandbox' });
    try {
      const html = await (await fetch(sandbox.url, { headers: { accept: 'text/html' } })).text();
      expect(html).toContain('embeddable-sandbox');
    } finally {
      await sandbox.close();
    }
  });
});
