import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from '@jest/globals';
import { masked, printedVariables, spawnDemoTenant } from '../support/demo-tenant-process.js';
import { collectLines } from '../support/lines.js';
import { fences, type Fence } from '../support/markdown-examples.js';
import { freePort } from '../support/ports.js';
import { cookieHeader, signIn } from '../support/sign-in.js';
import { REDIS_SERVER, describeWith } from '../support/system-dependencies.js';

/**
 * docs/scale-out.md's recipes as a user runs them: the shell blocks themselves, in bash, from a
 * checkout without `demo-tenant.env` and with no variable the page does not set. Only the ports
 * change (the page's 4001–4004 and 6379 may be taken on this machine) and `npm run build` is left
 * out (the suite builds once; a second build would rewrite dist/ under other tests). The page's
 * curl calls are made by the test, with the API key the demo tenant printed; the page's last line
 * (`kill $(jobs -p)`) then stops everything. The banner the page shows is checked against what
 * `npm run --silent demo-tenant` prints.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'docs/scale-out.md';
/** What a checkout holds that the recipes use: npm's scripts, their sources and the build. */
const CHECKOUT = ['package.json', 'package-lock.json', 'node_modules', 'dist', 'scripts', 'src', 'schema', 'tsconfig.json', 'tsconfig.build.json'];
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];
/** The page waits 60 s for the banner file; the replicas start after it. */
const READY_MS = 90_000;
const STOP_MS = 20_000;

const blocks = fences(readFileSync(join(ROOT, PAGE), 'utf8')).blocks;

function blockUnder(heading: string, lang: string, containing: string): Fence {
  const found = blocks.filter((b) => b.heading === heading && b.lang === lang && b.body.includes(containing));
  if (found.length !== 1) throw new Error(`${PAGE}: ${found.length} ${lang} blocks under "${heading}" hold "${containing}" (expected one)`);
  return found[0];
}

const REPLICAS_HEADING = 'Several replicas, one Redis, one demo tenant';
const recipe = () => blockUnder(REPLICAS_HEADING, 'sh', 'npm run demo-tenant');
const queries = () => blockUnder(REPLICAS_HEADING, 'sh', 'curl');
const lineOf = (block: Fence, pattern: RegExp): string => {
  const found = block.body.split('\n').filter((line) => pattern.test(line));
  if (found.length !== 1) throw new Error(`${PAGE}:${block.start}: ${found.length} lines match ${String(pattern)} (expected one)`);
  return found[0];
};

/** The page's ports, each replaced by a free one. */
async function onFreePorts(text: string): Promise<{ text: string; ports: Record<string, number> }> {
  const ports: Record<string, number> = {};
  for (const port of ['4001', '4002', '4003', '4004', '6379']) ports[port] = await freePort();
  return { text: text.replace(/\b(400[1-4]|6379)\b/g, (port) => String(ports[port])), ports };
}

/** A user's shell: the test run's variables without the gateway's and the demo tenant's settings, npm's, jest's NODE_ENV or a proxy. */
function userEnvironment(redisServer: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(env)) {
    if (/^(SAIL_|DEMO_TENANT_|npm_)/.test(name) || PROXY_VARS.includes(name) || name === 'PORT' || name === 'NODE_ENV') delete env[name];
  }
  env.PATH = `${dirname(redisServer)}${delimiter}${env.PATH ?? ''}`;
  return env;
}

interface ShellRun {
  dir: string;
  stdout: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Output fit for an error message: the shell's (secrets masked) and the replicas' logs. */
  output(): string;
  /** Lets the script past its `read`. */
  proceed(): void;
  /** SIGKILL to everything the script started (one process group), for cleanup. */
  kill(): void;
}

/** Runs `script` with bash in a fresh checkout (links to this one's files), in a process group of its own. */
function runScript(script: string, redisServer: string): ShellRun {
  const dir = mkdtempSync(join(tmpdir(), 'scale-out-recipe-'));
  for (const entry of CHECKOUT) symlinkSync(join(ROOT, entry), join(dir, entry));
  writeFileSync(join(dir, 'recipe.sh'), `${script}\n`);
  const shell = spawn('bash', ['recipe.sh'], { cwd: dir, env: userEnvironment(redisServer), stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const stdout: string[] = [];
  const stderr: string[] = [];
  collectLines(shell.stdout, stdout, () => undefined);
  collectLines(shell.stderr, stderr, () => undefined);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    shell.once('close', (code, signal) => resolve({ code, signal })),
  );
  const logs = () =>
    readdirSync(dir)
      .filter((file) => /^replica-\d+\.log$/.test(file))
      .map((file) => `${file}:\n${masked(readFileSync(join(dir, file), 'utf8').split('\n'))}`)
      .join('\n');
  return {
    dir,
    stdout,
    exited,
    output: () => `stdout:\n${masked(stdout)}\nstderr:\n${masked(stderr)}\n${logs()}`,
    proceed: () => shell.stdin.end('\n'),
    kill: () => {
      try {
        process.kill(-shell.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a replica answers /healthz (bounded). */
const healthy = (port: number): Promise<boolean> =>
  fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(1_000) }).then(
    (response) => response.ok,
    () => false,
  );

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
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Waits until the banner has printed `names` and every replica answers; fails early if the script ends. */
async function untilServing(run: ShellRun, replicaPorts: number[], names: string[]): Promise<Record<string, string>> {
  let ended = false;
  void run.exited.then(() => (ended = true));
  const deadline = Date.now() + READY_MS;
  while (!ended && Date.now() < deadline) {
    const printed = printedVariables(run.stdout);
    if (names.every((name) => name in printed) && (await Promise.all(replicaPorts.map(healthy))).every(Boolean)) return printed;
    await sleep(250);
  }
  throw new Error(`${ended ? 'the recipe ended' : `not serving within ${READY_MS} ms`} before the banner and every replica:\n${run.output()}`);
}

/** Lets the script run the page's `kill $(jobs -p)` and `wait`; then nothing it started may still listen. */
async function stopAll(run: ShellRun, ports: number[]): Promise<void> {
  run.proceed();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_MS)));
  const result = await Promise.race([run.exited, late]);
  clearTimeout(timer);
  if (result === 'late') throw new Error(`the recipe did not end within ${STOP_MS} ms of its kill line:\n${run.output()}`);
  expect(result).toEqual({ code: 0, signal: null });
  expect(await Promise.all(ports.map(async (port) => [port, await listening(port)]))).toEqual(ports.map((port) => [port, false]));
  expect(existsSync(join(run.dir, 'demo-tenant.env'))).toBe(false);
}

describe(`${PAGE}: the demo tenant's banner`, () => {
  it('is what `npm run --silent demo-tenant` prints, but for the port and the API key made up at each start', async () => {
    const sample = blockUnder('The demo tenant as its own process', 'console', 'demo-tenant');
    const [command, ...shown] = sample.body.split('\n');
    expect(command).toBe('$ npm run --silent demo-tenant');
    const defaults = Object.fromEntries(
      ['TOKEN_LIFETIME_S', 'LATENCY_MS', 'RATE_LIMIT', 'RATE_WINDOW_MS', 'REDIRECT_URIS'].map((name) => [`SAIL_DEMO_TENANT_${name}`, undefined]),
    );
    const tenant = await spawnDemoTenant(defaults, 60_000, { command: 'npm', args: ['run', '--silent', 'demo-tenant'], cwd: ROOT });
    try {
      const normalised = (lines: string[]) =>
        lines.map((line) =>
          line.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:<port>').replace(/demo-key-[0-9a-f]{16}/, 'demo-key-<random>'),
        );
      expect(normalised(tenant.stdoutLines)).toEqual(normalised(shown));
    } finally {
      expect(await tenant.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    }
  }, 70_000);
});

describeWith(REDIS_SERVER, `${PAGE}: the recipes, run as written`, (redisServer) => {
  let run: ShellRun | undefined;
  afterEach(() => run?.kill());

  it(
    'four replicas on one Redis, configured by the sourced banner: each answers with the printed API key, sharing one token and one budget',
    async () => {
      const steps = recipe().body.split('\n');
      expect(steps.filter((line) => /^npm run build\b/.test(line))).toHaveLength(1);
      const script = [...steps.filter((line) => !/^npm run build\b/.test(line)), 'read -r _', lineOf(queries(), /^kill /), 'wait'].join('\n');
      const { text, ports } = await onFreePorts(script);
      const replicaPorts = ['4001', '4002', '4003', '4004'].map((port) => ports[port]);
      run = runScript(text, redisServer);

      const printed = await untilServing(run, replicaPorts, ['SAIL_BASE_URL', 'SAIL_API_KEYS']);
      const { query } = JSON.parse(/-d '([^']*)'/.exec(queries().body)![1]) as { query: string };
      const remaining: number[] = [];
      for (const port of replicaPorts) {
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': printed.SAIL_API_KEYS },
          body: JSON.stringify({ query }),
          signal: AbortSignal.timeout(15_000),
        });
        const body = (await response.json()) as {
          data?: { connectorCustomizers: { items: unknown[] } };
          errors?: unknown[];
          extensions?: { rateLimit?: { remaining: number } };
        };
        expect({ port, status: response.status, errors: body.errors, items: body.data?.connectorCustomizers.items.length }).toEqual({
          port,
          status: 200,
          errors: undefined,
          items: 2,
        });
        remaining.push(body.extensions!.rateLimit!.remaining);
      }
      // One budget across replicas: what is left counts down from one replica to the next.
      expect(remaining.every((left, i) => i === 0 || left < remaining[i - 1])).toBe(true);
      const stats = (await (await fetch(`${printed.SAIL_BASE_URL}/__demo/stats`, { signal: AbortSignal.timeout(10_000) })).json()) as {
        tokensIssued: number;
        apiByRoute: Record<string, Record<string, number>>;
      };
      expect({ tokens: stats.tokensIssued, customizers: stats.apiByRoute['GET /connector-customizers'] }).toEqual({
        tokens: 1,
        customizers: { '200': 4 },
      });

      await stopAll(run, [...replicaPorts, ports['6379'], Number(new URL(printed.SAIL_BASE_URL).port)]);
    },
    READY_MS + STOP_MS + 30_000,
  );

  it(
    'sign-in at the replicas: a user signed in at one replica has a session at the other',
    async () => {
      const signInSteps = blockUnder('Sign-in at the replicas', 'sh', '--sign-in').body;
      const script = [lineOf(recipe(), /^redis-server /), signInSteps, 'read -r _', lineOf(queries(), /^kill /), 'wait'].join('\n');
      const { text, ports } = await onFreePorts(script);
      const replicaPorts = ['4001', '4002'].map((port) => ports[port]);
      run = runScript(text, redisServer);

      const printed = await untilServing(run, replicaPorts, ['SAIL_BASE_URL', 'SAIL_LOGIN_CLIENT_ID', 'SAIL_AUTHORIZE_URL']);
      const [first, second] = replicaPorts.map((port) => `http://127.0.0.1:${port}`);
      const { session } = await signIn(first, 'ada.admin');
      expect(Object.keys(session)).toHaveLength(1);
      for (const replica of [first, second]) {
        const answer = await fetch(`${replica}/auth/session`, { headers: { cookie: cookieHeader(session) }, signal: AbortSignal.timeout(10_000) });
        const body = (await answer.json()) as { signedIn: boolean; user?: { name: string } };
        expect({ replica, status: answer.status, signedIn: body.signedIn, user: body.user?.name }).toEqual({
          replica,
          status: 200,
          signedIn: true,
          user: expect.any(String),
        });
      }

      await stopAll(run, [...replicaPorts, ports['6379'], Number(new URL(printed.SAIL_BASE_URL).port)]);
    },
    READY_MS + STOP_MS + 30_000,
  );
});
