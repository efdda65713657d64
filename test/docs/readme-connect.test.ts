import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from '@jest/globals';
import { startDemoTenant, type DemoTenant } from '../../src/demo-tenant/server.js';
import { fences } from '../support/markdown-examples.js';
import { freePort } from '../support/ports.js';

/**
 * README's "Connect your tenant" snippet, run by bash as a user pastes it, with the demo tenant
 * standing in for the tenant (its URL and client in place of the placeholders) and a free port in
 * place of 4000: `npm start &` then `curl` must print an answer, not race the start.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const snippet = fences(README).blocks.find((b) => b.lang === 'sh' && b.heading === 'Connect your tenant' && b.body.includes('npm start &'));

describe("README's Connect your tenant snippet", () => {
  let tenant: DemoTenant | undefined;
  let group: number | undefined;
  afterAll(async () => {
    if (group !== undefined) {
      try {
        process.kill(-group, 'SIGKILL'); // the gateway the snippet left running in the background
      } catch {
        // already gone
      }
    }
    await tenant?.close();
  });

  it('prints the answer of the first request (it waits for the gateway to be ready)', async () => {
    expect(snippet).toBeDefined();
    tenant = await startDemoTenant({ recordRequests: true });
    const port = await freePort();
    const script = snippet!.body
      .replaceAll('https://acme.api.identitynow.com', tenant.url)
      .replace("'<PAT client ID>'", tenant.clientId)
      .replace("'<PAT secret>'", tenant.clientSecret)
      .replaceAll('localhost:4000', `localhost:${port}`);
    expect(script).not.toMatch(/acme|<PAT|:4000/);
    const bash = spawn('bash', ['-c', script], {
      cwd: new URL('../../', import.meta.url),
      env: { ...process.env, SAIL_PORT: String(port), SAIL_LOG_LEVEL: 'warn' },
      detached: true, // its own process group: the background `npm start` is stopped with it
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    group = bash.pid;
    let out = '';
    bash.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    bash.stderr.resume();
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the snippet did not finish within 120 s; it printed:\n${out}`)), 120_000);
      bash.once('exit', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(code).toBe(0);
    const answer = out.trim().split('\n').at(-1)!;
    expect(JSON.parse(answer)).toMatchObject({ data: { connectors: { items: expect.any(Array), totalCount: expect.any(Number) } } });
    expect(out).toContain('"ready":true');
  }, 150_000);
});
