/** Process, HTTP and measurement helpers of the bench runner. */
import { fork, spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon, { type Result } from 'autocannon';

export const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string;
  proc: ChildProcess;
  url: string;
  pid: number;
}

const children = new Set<ChildProcess>();

/** Forks a TypeScript file of bench/ under tsx and waits for the `{ port }` it reports over IPC. */
export async function forkTs(name: string, file: string, env: Record<string, string>, execArgv: string[] = [], logFile?: string): Promise<Child> {
  const proc = fork(path.join(ROOT, 'bench', file), [], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx', ...execArgv],
    stdio: ['ignore', logFile ? 'pipe' : 'inherit', logFile ? 'pipe' : 'inherit', 'ipc'],
  });
  children.add(proc);
  if (logFile) pipeTo(proc, logFile);
  const port = await new Promise<number>((resolve, reject) => {
    proc.once('message', (m) => resolve((m as { port: number }).port));
    proc.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return { name, proc, url: `http://127.0.0.1:${port}`, pid: proc.pid! };
}

function pipeTo(proc: ChildProcess, file: string): void {
  const out = createWriteStream(file, { flags: 'a' });
  proc.stdout?.pipe(out);
  proc.stderr?.pipe(out);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A throwaway `redis-server` on a free loopback port (no persistence), for runs whose gateways
 * share Redis; `REDIS_SERVER_PATH` names another binary. Resolves once it accepts connections.
 */
export async function startRedisServer(logFile: string): Promise<Child> {
  const port = await freePort();
  const proc = spawn(
    process.env.REDIS_SERVER_PATH || 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(proc);
  let output = '';
  proc.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  pipeTo(proc, logFile);
  for (let i = 0; i < 200 && !output.includes('Ready to accept connections'); i++) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}; see ${logFile}`);
    await sleep(50);
  }
  if (!output.includes('Ready to accept connections')) throw new Error(`redis-server not ready within 10 s; see ${logFile}`);
  return { name: 'redis', proc, url: `redis://127.0.0.1:${port}`, pid: proc.pid! };
}

/**
 * The V8 flags of `npm start` (package.json `scripts.start`, e.g. `--heap-growing-percent=100`), so
 * the bench measures the gateway as it is run: those of the command that runs `dist/src/index.js`
 * (the script may run others first, e.g. `node scripts/build.mjs --if-stale && exec node … dist/src/index.js`).
 */
export function startScriptNodeFlags(): string[] {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const command = pkg.scripts.start.split(/&&|;|\|\|/).find((c) => c.includes('dist/src/index.js')) ?? '';
  const words = command.trim().split(/\s+/);
  return words.slice(words.indexOf('node') + 1).filter((w) => w.startsWith('--'));
}

/**
 * Starts the built gateway (`node <npm start's flags> dist/src/index.js`) and waits for `/healthz`.
 * `root`: a checkout whose `dist/` to run (another release, built there); `port`: one chosen ahead (e.g. for SAIL_PUBLIC_URL).
 */
export async function startGateway(
  env: Record<string, string>,
  nodeArgs: string[],
  logFile: string,
  { root = ROOT, port: chosenPort }: { root?: string; port?: number } = {},
): Promise<Child> {
  const port = chosenPort ?? (await freePort());
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env, SAIL_PORT: String(port), SAIL_HOST: '127.0.0.1' };
  delete childEnv.NODE_OPTIONS; // no tsx loader in the measured process
  const proc = spawn(process.execPath, [...startScriptNodeFlags(), ...nodeArgs, path.join(root, 'dist/src/index.js')], {
    cwd: root,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(proc);
  pipeTo(proc, logFile);
  let exited: number | null | undefined;
  proc.once('exit', (code) => (exited = code));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (exited !== undefined) throw new Error(`the gateway exited with ${exited} at start; see ${logFile}`);
    try {
      const r = await httpRequest('GET', `${url}/healthz`);
      if (r.status === 200) return { name: 'gateway', proc, url, pid: proc.pid! };
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  throw new Error(`the gateway did not answer /healthz within 15 s; see ${logFile}`);
}

/** Spawns `node <args>` in `root` with `env` added, its output appended to `logFile`; stopped like the others (`stop`, `killAll`). */
export function spawnNode(name: string, args: string[], env: Record<string, string>, logFile: string, root = ROOT): Omit<Child, 'url'> {
  const childEnv: Record<string, string | undefined> = { ...process.env, ...env };
  delete childEnv.NODE_OPTIONS;
  const proc = spawn(process.execPath, args, { cwd: root, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(proc);
  pipeTo(proc, logFile);
  return { name, proc, pid: proc.pid! };
}

/** SIGTERM (graceful: lets --cpu-prof write its profile), then SIGKILL after `graceMs`. */
export async function stop(child: Child | undefined, graceMs = 15_000): Promise<void> {
  if (!child || child.proc.exitCode !== null || child.proc.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.proc.once('exit', () => resolve()));
  child.proc.kill('SIGTERM');
  const timer = setTimeout(() => child.proc.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child.proc);
}

/** Ends every child this runner started (by its own handle), e.g. on an error. */
export function killAll(): void {
  for (const proc of children) if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
}

export function buildGateway(): void {
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

// ---------------------------------------------------------------------------------------------
// HTTP

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface HttpAnswer {
  status: number;
  body: string;
}

export function httpRequest(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method, agent: keepAlive, headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.setTimeout(60_000, () => req.destroy(new Error(`timeout: ${method} ${url}`)));
    req.on('error', reject);
    req.end(body);
  });
}

export async function getJson<T>(url: string): Promise<T> {
  const r = await httpRequest('GET', url);
  if (r.status !== 200) throw new Error(`GET ${url} answered ${r.status}`);
  return JSON.parse(r.body) as T;
}

export async function postJson(url: string, body: unknown = {}): Promise<void> {
  const r = await httpRequest('POST', url, JSON.stringify(body), { 'content-type': 'application/json' });
  if (r.status >= 300) throw new Error(`POST ${url} answered ${r.status}`);
}

/** A GraphQL-shaped answer that is an error: not 200, no `data`, or any `errors`. */
export function failure(answer: HttpAnswer): string | undefined {
  if (answer.status !== 200) return `HTTP ${answer.status}: ${answer.body.slice(0, 300)}`;
  let parsed: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(answer.body) as typeof parsed;
  } catch {
    return `not JSON: ${answer.body.slice(0, 200)}`;
  }
  if (parsed.errors?.length) return parsed.errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; ');
  if (!parsed.data) return 'no data';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Load

export interface LoadResult {
  connections: number;
  durationS: number;
  /** Answers that were 2xx with data and no errors. */
  ok: number;
  sent: number;
  failed: number;
  rps: number;
  p50: number;
  p99: number;
  mean: number;
}

/** Runs autocannon against one URL with one body; latencies are kept exactly (µs), not in 1 ms buckets. */
export function load(url: string, body: string, headers: Record<string, string>, connections: number, durationS: number): Promise<LoadResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        connections,
        duration: durationS,
        timeout: 30,
        // A GraphQL error still comes as HTTP 200: each answer is checked.
        verifyBody: (text: string) => text.startsWith('{"data":{') && !text.includes('"errors":['),
        renderProgressBar: false,
        renderResultsTable: false,
        renderLatencyTable: false,
      },
      (error: Error | null, result: Result) => {
        if (error) return reject(error);
        const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
        latencies.sort((a, b) => a - b);
        const failed = result.errors + result.timeouts + result.mismatches + result.non2xx;
        const ok = Math.max(0, latencies.length - result.mismatches);
        resolve({
          connections,
          durationS: Math.min(elapsed, result.duration || elapsed),
          ok,
          sent: result.requests.sent,
          failed,
          rps: ok / (result.duration || elapsed),
          p50: percentile(latencies, 0.5),
          p99: percentile(latencies, 0.99),
          mean: latencies.reduce((s, v) => s + v, 0) / Math.max(1, latencies.length),
        });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) latencies.push(ms);
    });
  });
}

export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

// ---------------------------------------------------------------------------------------------
// Process metrics (Linux /proc; `ps` elsewhere)

export function rssMb(pid: number): { rss: number; hwm: number | null } {
  const status = `/proc/${pid}/status`;
  if (existsSync(status)) {
    const text = readFileSync(status, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  }
  const out = execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' });
  return { rss: Number(out.trim()) / 1024, hwm: null };
}

let clockTicks: number | undefined;
/** CPU time (user + system) the process has used, in ms; NaN when it cannot be read. */
export function cpuMs(pid: number): number {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return Number.NaN;
  clockTicks ??= (() => {
    try {
      return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      return 100;
    }
  })();
  const stat = readFileSync(file, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state(0) ppid(1) … utime(11) stime(12)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

// ---------------------------------------------------------------------------------------------
// CPU placement (Linux `taskset`)

/**
 * Puts processes on separate cores for one measurement: `pin(pid, cpu)` for each, `release()` to
 * give every pinned process all the CPUs this runner had at the start. Undefined when it cannot be
 * done (not Linux, no `taskset`, fewer than two CPUs allowed).
 */
export interface CpuPlacement {
  /** The two CPUs used: the target's own, and the one shared by everything else. */
  cpus: [string, string];
  pin(pid: number, cpu: string): void;
  release(): void;
}

export function cpuPlacement(): CpuPlacement | undefined {
  if (process.platform !== 'linux') return undefined;
  let allowed: string;
  try {
    // "pid 123's current affinity list: 0,1" (or "0-3")
    allowed = execFileSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' })
      .split(':')
      .pop()!
      .trim();
  } catch {
    return undefined;
  }
  const cpus = allowed.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
  });
  if (cpus.length < 2) return undefined;
  const pinned = new Set<number>();
  const set = (pid: number, list: string) => execFileSync('taskset', ['-c', '-p', list, String(pid)], { stdio: 'ignore' });
  return {
    cpus: [cpus[0], cpus[1]],
    pin(pid, cpu) {
      set(pid, cpu); // the main thread only: V8's and libuv's helper threads stay free, as in production
      pinned.add(pid);
    },
    release() {
      for (const pid of pinned) {
        try {
          set(pid, allowed);
        } catch {
          // the process has exited
        }
      }
      pinned.clear();
    },
  };
}
