import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postGraphQL } from '../support/child-gateway.js';
import { collectLines } from '../support/lines.js';
import { freePort } from '../support/ports.js';
import { alive, childrenOf } from '../support/processes.js';

/**
 * `npm run example` (scripts/example.mjs) as a user runs it: with a real tenant's variables in the
 * environment (dropped, with a note), it builds what is stale, serves the example frontend at
 * /app/ on the demo tenant in trusted-documents mode, prints the URL once the gateway answers, and
 * ends with the gateway on SIGTERM, leaving nothing listening.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];
const DUMMY = { SAIL_CLIENT_ID: 'example-test-client-id', SAIL_CLIENT_SECRET: 'example-test-client-secret' };
/** The script may build dist/ and bundle the frontend before the gateway starts. */
const READY_MS = 90_000;
const EXIT_MS = 20_000;

/** SIGKILL to a whole process group, if any of it is left. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Whether anything accepts a TCP connection on 127.0.0.1:`port` (bounded). */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.setTimeout(2_000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(true); // something holds the port without answering
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run example', () => {
  let script: ChildProcess;
  let exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let port: number;
  let gatewayPid: number | undefined;
  const stdout: string[] = [];
  const stderr: string[] = [];
  let onLine: (() => void) | undefined;
  const output = () => `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`;
  const openLine = () => `open http://localhost:${port}/app/`;

  beforeAll(async () => {
    port = await freePort();
    const env: Record<string, string | undefined> = { ...process.env };
    for (const name of PROXY_VARS) delete env[name];
    delete env.NODE_ENV; // jest's "test" (silent logs) is not a user's shell
    script = spawn(process.execPath, ['scripts/example.mjs'], {
      cwd: ROOT,
      env: {
        ...env,
        SAIL_PORT: String(port),
        SAIL_HOST: '127.0.0.1',
        SAIL_LOG_LEVEL: 'info',
        SAIL_BASE_URL: 'https://acme.api.identitynow.com',
        ...DUMMY,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // a group of its own, for the cleanup
    });
    // 'close', not 'exit': the output (the gateway's last log lines included) has been read to the end.
    exited = new Promise((resolve) => script.once('close', (code, signal) => resolve({ code, signal })));
    collectLines(script.stdout!, stdout, () => onLine?.());
    collectLines(script.stderr!, stderr, () => onLine?.());

    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${openLine()}" within ${READY_MS} ms:\n${output()}`)), READY_MS);
      onLine = () => {
        if (stdout.some((line) => line.includes(openLine()))) {
          clearTimeout(timer);
          resolve();
        }
      };
      onLine();
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`npm run example exited (${code ?? signal}) before it printed the URL:\n${output()}`));
      });
    });
    onLine = undefined;
    gatewayPid = childrenOf(script.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/src/index.js'));
  }, READY_MS + 10_000);

  afterAll(() => {
    killGroup(script?.pid);
    killGroup(gatewayPid); // the gateway's own group (the script starts it detached)
  });

  it('names the real-tenant variables it ignores on stderr (never their values) and prints the URL once', () => {
    const notes = stderr.filter((line) => line.startsWith('npm run example'));
    expect(notes).toEqual(['npm run example uses the built-in demo tenant: ignoring SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET']);
    const everything = output();
    for (const value of Object.values(DUMMY)) expect(everything).not.toContain(value);
    expect(stdout.filter((line) => line.includes(openLine()))).toHaveLength(1);
    expect(gatewayPid).toBeDefined();
  });

  it('serves the example frontend at /app/ and answers /healthz', async () => {
    const app = await fetch(`http://127.0.0.1:${port}/app/`, { signal: AbortSignal.timeout(10_000) });
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await app.text()).toMatch(/<html/i);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
  });

  it('refuses an ad-hoc query: only the frontend’s trusted documents run', async () => {
    const answer = await postGraphQL(`http://127.0.0.1:${port}/graphql`, '{ connectors(limit: 1) { items { name } } }');
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
  });

  it(
    'on SIGTERM: the gateway drains, the script exits 0 and nothing is left listening',
    async () => {
      script.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), EXIT_MS)));
      const result = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (result === 'late') throw new Error(`npm run example did not exit within ${EXIT_MS} ms of SIGTERM:\n${output()}`);
      expect(result).toEqual({ code: 0, signal: null });
      expect(alive(gatewayPid!)).toBe(false);
      expect(await listening(port)).toBe(false);
      const stopped = stdout.filter((line) => line.includes('"msg":"Gateway stopped"'));
      expect(stopped).toHaveLength(1);
      expect((JSON.parse(stopped[0]) as { drained: boolean }).drained).toBe(true);
    },
    EXIT_MS + 10_000,
  );
});
