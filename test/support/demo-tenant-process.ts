import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { collectLines } from './lines.js';
import type { DemoTenantStats, RequestSummary } from '../../src/demo-tenant/stats.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The demo tenant as `npm run demo-tenant` runs it (`src/demo-tenant/main.ts`, under tsx), in its
 * own process. Its stdout carries the demo client secret, which the test runner's secret scan
 * refuses to see in test output: it is kept in memory here and must never be printed.
 */
export interface DemoTenantProcess {
  child: ChildProcess;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  /** `SAIL_BASE_URL`, `SAIL_CLIENT_ID`, `SAIL_CLIENT_SECRET` as printed: a gateway's environment. */
  gatewayEnv: Record<'SAIL_BASE_URL' | 'SAIL_CLIENT_ID' | 'SAIL_CLIENT_SECRET', string>;
  /** Every stdout line so far (carries the secret: assert on it, never print it). */
  stdoutLines: string[];
  stderrLines: string[];
  stats(): Promise<DemoTenantStats>;
  /** Token and API requests that arrived at or after `since` (ms since epoch). */
  requests(since?: number): Promise<RequestSummary[]>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` and waits up to `timeoutMs` for the exit (then SIGKILL). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL if still running; for cleanup. */
  kill(): void;
}

/** Node's arguments for the demo tenant from the sources, under tsx. */
export const DEMO_TENANT_FROM_SOURCES: readonly string[] = ['--import', 'tsx', 'src/demo-tenant/main.ts'];

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'no_proxy', 'all_proxy'];
const PRINTED = ['SAIL_BASE_URL', 'SAIL_CLIENT_ID', 'SAIL_CLIENT_SECRET'] as const;

/** The `NAME=value` lines of the banner. */
export function printedVariables(lines: string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of lines) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) vars[match[1]] = match[2];
  }
  return vars;
}

/** Output fit for an error message: the secrets' (and the API key's) values masked. */
export const masked = (lines: string[]): string =>
  lines.map((l) => l.replace(/^(SAIL_CLIENT_SECRET=|SAIL_LOGIN_CLIENT_SECRET=|SAIL_API_KEYS=).*/, '$1***')).join('\n');

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as T;
}

/**
 * Spawns the demo tenant (`how`: by default `node --import tsx src/demo-tenant/main.ts`; `command`
 * instead of node, e.g. `npm`) with `env` over the test's environment (proxy variables removed,
 * `DEMO_TENANT_PORT=0`, loopback) and waits up to `timeoutMs` for its banner.
 */
export async function spawnDemoTenant(
  env: Record<string, string | undefined> = {},
  timeoutMs = 15_000,
  how: { command?: string; args: readonly string[]; cwd: string } = { args: DEMO_TENANT_FROM_SOURCES, cwd: ROOT },
): Promise<DemoTenantProcess> {
  const base: Record<string, string | undefined> = { ...process.env };
  for (const name of PROXY_VARS) delete base[name];
  const child = spawn(how.command ?? process.execPath, how.args, {
    cwd: how.cwd,
    env: { ...base, SAIL_DEMO_TENANT_PORT: '0', SAIL_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  let onLine: (() => void) | undefined;
  for (const [stream, lines] of [
    [child.stdout, stdoutLines],
    [child.stderr, stderrLines],
  ] as const) {
    collectLines(stream, lines, () => onLine?.());
  }

  const vars = await new Promise<Record<string, string>>((resolve, reject) => {
    const output = () => `stdout:\n${masked(stdoutLines)}\nstderr:\n${stderrLines.join('\n')}`;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`demo tenant printed no credentials within ${timeoutMs} ms:\n${output()}`));
    }, timeoutMs);
    onLine = () => {
      const printed = printedVariables(stdoutLines);
      if (PRINTED.every((name) => name in printed)) {
        clearTimeout(timer);
        resolve(printed);
      }
    };
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`demo tenant exited (${code ?? signal}) before it was ready:\n${output()}`));
    });
  });
  onLine = undefined;

  const baseUrl = vars.SAIL_BASE_URL;
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  return {
    child,
    baseUrl,
    clientId: vars.SAIL_CLIENT_ID,
    clientSecret: vars.SAIL_CLIENT_SECRET,
    gatewayEnv: { SAIL_BASE_URL: baseUrl, SAIL_CLIENT_ID: vars.SAIL_CLIENT_ID, SAIL_CLIENT_SECRET: vars.SAIL_CLIENT_SECRET },
    stdoutLines,
    stderrLines,
    stats: () => getJson<DemoTenantStats>(`${baseUrl}/__demo/stats`),
    requests: async (since = 0) => (await getJson<{ requests: RequestSummary[] }>(`${baseUrl}/__demo/requests?since=${since}`)).requests,
    exited,
    async stop(signal = 'SIGTERM', timeoutMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), timeoutMs)));
      const result = await Promise.race([exited, late]);
      clearTimeout(timer);
      if (result === 'late') {
        kill();
        throw new Error(`demo tenant did not exit within ${timeoutMs} ms of ${signal}`);
      }
      return result;
    },
    kill,
  };
}
