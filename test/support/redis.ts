import { spawn, type ChildProcess } from 'node:child_process';
import { collectLines } from './lines.js';
import { freePort } from './ports.js';
import { REDIS_SERVER, locate } from './system-dependencies.js';

/** A real `redis-server` (Debian's; `.ci/run` installs it) on a loopback port, for one test file. */
export interface TestRedis {
  url: string;
  port: number;
  /** Every line the server printed. */
  lines: string[];
  /** Stops it (SIGKILL): what a crashed or unreachable Redis looks like to the gateway. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty: it never persists). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisOptions {
  timeoutMs?: number;
  /** Further settings, as `redis-server --name value…` takes them (e.g. `{ maxmemory: '4mb', 'maxmemory-policy': 'allkeys-lru' }`). */
  settings?: Record<string, string | string[]>;
}

function launch(port: number, lines: string[], timeoutMs: number, settings: Record<string, string | string[]>): Promise<ChildProcess> {
  const child = spawn(
    locate(REDIS_SERVER) ?? REDIS_SERVER.command,
    [
      ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'],
      ...Object.entries(settings).flatMap(([name, value]) => [`--${name}`, ...[value].flat()]),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server not ready within ${timeoutMs} ms:\n${lines.join('\n')}`));
    }, timeoutMs);
    const onLines = () => {
      if (lines.some((l) => l.includes('Ready to accept connections'))) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    // Whole lines only: the ready line may arrive split across chunks.
    collectLines(child.stdout, lines, onLines);
    collectLines(child.stderr, lines, onLines);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${lines.join('\n')}`));
    });
  });
}

async function killChild(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
}

export async function startRedis({ timeoutMs = 10_000, settings = {} }: RedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const lines: string[] = [];
  let child: ChildProcess | undefined = await launch(port, lines, timeoutMs, settings);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    lines,
    kill: async () => {
      await killChild(child, 'SIGKILL');
      child = undefined;
    },
    restart: async () => {
      await killChild(child, 'SIGKILL');
      lines.length = 0;
      child = await launch(port, lines, timeoutMs, settings);
    },
    stop: async () => {
      await killChild(child, 'SIGTERM');
      child = undefined;
    },
  };
}
