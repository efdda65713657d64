import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectLines } from './lines.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The gateway as it runs in production (`src/index.ts`, under tsx), in its own process. */
export interface ChildGateway {
  child: ChildProcess;
  /** GraphQL endpoint, from the "ready" log line. */
  url: string;
  /** Every stdout/stderr line so far. */
  lines: string[];
  /** JSON log records so far. */
  records(): Record<string, unknown>[];
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** The first log record `matches` accepts, waiting for it up to `timeoutMs`. */
  record(matches: (record: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Kills it (SIGKILL) if still running; for cleanup. */
  kill(): void;
}

/** Proxy variables of the machine running the tests must not leak into a child under test. */
const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];

/** How to start the gateway: by default `node --import tsx src/index.ts` in the repository. */
export interface GatewayCommand {
  command: string;
  args: readonly string[];
  cwd: string;
}

const FROM_SOURCES: GatewayCommand = { command: process.execPath, args: ['--import', 'tsx', 'src/index.ts'], cwd: ROOT };

/**
 * Spawns the gateway (`how`, by default from the sources under tsx) with `env` on top of the
 * test's environment (proxy variables removed, a free port, loopback, info logs, production
 * settings), and waits up to `timeoutMs` for it to log that it is ready. Starting is CPU work (tsx
 * compiles the sources): about 2 s alone, over 20 s on a heavily loaded 2-core machine; the
 * default bound only keeps a gateway that never starts from going unnoticed.
 */
export const SPAWN_TIMEOUT_MS = 60_000;

export async function spawnGateway(
  env: Record<string, string | undefined>,
  timeoutMs = SPAWN_TIMEOUT_MS,
  how: GatewayCommand = FROM_SOURCES,
): Promise<ChildGateway> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of PROXY_VARS) delete base[name];
  const child = spawn(how.command, how.args, {
    cwd: how.cwd,
    // Production settings; the built-in demo tenant must then be asked for (SAIL_DEMO_TENANT=on).
    env: {
      ...base,
      SAIL_PORT: '0',
      SAIL_HOST: '127.0.0.1',
      SAIL_LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      SAIL_PLAYGROUND: 'off',
      ...(!env.SAIL_BASE_URL && { SAIL_DEMO_TENANT: 'on' }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() }));
  });
  let onLine: (() => void) | undefined;
  for (const stream of [child.stdout, child.stderr]) collectLines(stream, lines, () => onLine?.());
  const records = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway not ready within ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
    const check = () => {
      const ready = records().find((r) => r.msg === 'ISC GraphQL gateway ready');
      if (ready) {
        clearTimeout(timer);
        resolve(String(ready.url));
      }
    };
    onLine = check;
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited with ${code} before it was ready:\n${lines.join('\n')}`));
    });
  });
  onLine = undefined;
  return {
    child,
    url,
    lines,
    records,
    exited,
    async record(matches, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = records().find(matches);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such log record within ${timeoutMs} ms:\n${lines.join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** One GraphQL request over HTTP to any gateway URL (bounded). */
export async function postGraphQL<T = Record<string, any>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<{ status: number; data?: T | null; errors?: { message: string; extensions?: Record<string, any> }[]; at: number }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { data?: T | null; errors?: { message: string; extensions?: Record<string, any> }[] };
  return { status: response.status, data: body.data, errors: body.errors, at: Date.now() };
}
