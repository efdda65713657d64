import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postGraphQL } from '../support/child-gateway.js';
import { collectLines } from '../support/lines.js';
import { freePort } from '../support/ports.js';
import { alive, descendantsOf } from '../support/processes.js';

/**
 * `npm run example` (scripts/example.mjs) as a user runs it, through npm: with a real tenant's
 * variables in the environment (dropped, with a note), it builds what is stale, serves the example
 * frontend at /app/ on the demo tenant in trusted-documents mode, prints the URL once the gateway
 * answers, and ends with the gateway on SIGTERM or SIGINT to npm's PID (what `kill` does, and
 * what npm passes on to its script), leaving nothing listening and nothing running.
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

interface ExampleRun {
  npm: ChildProcess;
  /** npm's own exit, once it happened (its output may stay open longer, held by what it started). */
  npmExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  port: number;
  /** The gateway the script started (in a process group of its own). */
  gatewayPid: number | undefined;
  stdout: string[];
  stderr: string[];
  output(): string;
}

const runs: ExampleRun[] = [];
const openLine = (port: number) => `open http://localhost:${port}/app/`;

/** `npm run example` on a free port (SAIL_PORT), in a process group of its own (for the cleanup); resolves once it printed the URL. */
async function startExample(): Promise<ExampleRun> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env };
  for (const name of Object.keys(env)) if (PROXY_VARS.includes(name) || name.startsWith('npm_')) delete env[name];
  delete env.NODE_ENV; // jest's "test" (silent logs) is not a user's shell
  const npm = spawn('npm', ['run', 'example'], {
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
    detached: true,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const output = () => `stdout:\n${stdout.join('\n')}\nstderr:\n${stderr.join('\n')}`;
  // 'close', not 'exit': the output (the gateway's last log lines included) has been read to the end.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.once('close', (code, signal) => resolve({ code, signal })),
  );
  const run: ExampleRun = { npm, npmExit: undefined, exited, port, gatewayPid: undefined, stdout, stderr, output };
  runs.push(run);
  npm.once('exit', (code, signal) => (run.npmExit = { code, signal }));
  let onLine: (() => void) | undefined;
  collectLines(npm.stdout, stdout, () => onLine?.());
  collectLines(npm.stderr, stderr, () => onLine?.());
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "${openLine(port)}" within ${READY_MS} ms:\n${output()}`)), READY_MS);
    onLine = () => {
      if (stdout.some((line) => line.includes(openLine(port)))) {
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
  run.gatewayPid = descendantsOf(npm.pid!).find((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/src/index.js'));
  return run;
}

/** Sends `signal` to npm's PID alone and waits (bounded) for npm to exit: then the gateway must have drained, and nothing be left. */
async function stopWith(run: ExampleRun, signal: NodeJS.Signals): Promise<void> {
  expect(run.gatewayPid).toBeDefined();
  process.kill(run.npm.pid!, signal);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), EXIT_MS)));
  const result = await Promise.race([run.exited, late]);
  clearTimeout(timer);
  if (result === 'late') {
    const npm = run.npmExit ? `exited (${run.npmExit.code ?? run.npmExit.signal}) but what it started holds its output` : 'still runs';
    const gateway = alive(run.gatewayPid!) ? 'still runs' : 'has exited';
    throw new Error(`${EXIT_MS} ms after ${signal} to npm run example, npm ${npm} and the gateway ${gateway}:\n${run.output()}`);
  }
  expect({ npm: result, gatewayRuns: alive(run.gatewayPid!), portInUse: await listening(run.port) }).toEqual({
    npm: { code: 0, signal: null },
    gatewayRuns: false,
    portInUse: false,
  });
  expect(descendantsOf(run.npm.pid!)).toEqual([]);
  const stopped = run.stdout.filter((line) => line.includes('"msg":"Gateway stopped"'));
  expect(stopped).toHaveLength(1);
  expect(JSON.parse(stopped[0]) as { drained: boolean }).toMatchObject({ drained: true });
  expect(
    run.stdout.filter((line) => line.includes('"msg":"Signal received"')).map((line) => (JSON.parse(line) as { signal: string }).signal),
  ).toEqual([signal]);
}

afterAll(() => {
  for (const run of runs) {
    killGroup(run.npm.pid);
    killGroup(run.gatewayPid); // the gateway's own group (the script starts it detached)
  }
});

describe('npm run example', () => {
  let run: ExampleRun;
  beforeAll(async () => {
    run = await startExample();
  }, READY_MS + 10_000);

  it('names the real-tenant variables it ignores on stderr (never their values) and prints the URL once', () => {
    const notes = run.stderr.filter((line) => line.startsWith('npm run example'));
    expect(notes).toEqual(['npm run example uses the built-in demo tenant: ignoring SAIL_BASE_URL, SAIL_CLIENT_ID, SAIL_CLIENT_SECRET']);
    const everything = run.output();
    for (const value of Object.values(DUMMY)) expect(everything).not.toContain(value);
    expect(run.stdout.filter((line) => line.includes(openLine(run.port)))).toHaveLength(1);
    expect(run.gatewayPid).toBeDefined();
  });

  it('serves the example frontend at /app/ and answers /healthz', async () => {
    const app = await fetch(`http://127.0.0.1:${run.port}/app/`, { signal: AbortSignal.timeout(10_000) });
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await app.text()).toMatch(/<html/i);
    const health = await fetch(`http://127.0.0.1:${run.port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
  });

  it('refuses an ad-hoc query: only the frontend’s trusted documents run', async () => {
    const answer = await postGraphQL(`http://127.0.0.1:${run.port}/graphql`, '{ connectors(limit: 1) { items { name } } }');
    expect(answer.status).toBe(400);
    expect(answer.data).toBeUndefined();
    expect(answer.errors?.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_ALLOWED']);
  });

  it(
    'on SIGTERM to npm: the gateway drains, npm exits 0, the port is free and nothing is left running',
    () => stopWith(run, 'SIGTERM'),
    EXIT_MS + 10_000,
  );

  it(
    "on SIGINT to npm (kill -INT, not a terminal's Ctrl-C): the same",
    async () => {
      const second = await startExample();
      await stopWith(second, 'SIGINT');
    },
    READY_MS + EXIT_MS + 10_000,
  );
});
