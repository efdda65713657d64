import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { REDIS_SERVER, locate, verdict } from '../support/system-dependencies.js';

/**
 * The one skip the project allows: a test file that needs a system program (redis-server,
 * Chromium) is skipped with one line when the program is missing, except under CI, where the
 * run fails instead. Proven on a real test file, run by jest in a child process with redis-server
 * made unfindable.
 */
const ROOT = new URL('../../', import.meta.url);
const NEEDS_REDIS = 'test/integration/redis-tenants.test.ts';

function runJest(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--ci', file], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

/** The environment of this run without any CI marker, and with redis-server pointed at nothing. */
function withoutRedis(ci: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_SERVER_PATH: '/nonexistent/redis-server', NODE_ENV: 'test' };
  delete env.CI;
  if (ci !== undefined) env.CI = ci;
  return env;
}

describe('finding a system program', () => {
  it('finds a program on PATH, honours an explicit path, and reports a missing one', () => {
    const node = { command: 'node', pathVariable: 'NODE_PROGRAM_PATH', install: '' };
    expect(locate(node, { PATH: dirname(process.execPath) })).toBe(`${dirname(process.execPath)}/node`);
    expect(locate(node, { PATH: '/nonexistent' })).toBeUndefined();
    expect(locate(node, { PATH: dirname(process.execPath), NODE_PROGRAM_PATH: '/nonexistent/node' })).toBeUndefined();
    expect(locate(REDIS_SERVER, { PATH: '', REDIS_SERVER_PATH: process.execPath })).toBe(process.execPath);
  });

  it('runs what is found, skips what is missing, and fails what is missing under CI', () => {
    expect(verdict(true, { CI: 'true' })).toBe('run');
    expect(verdict(true, {})).toBe('run');
    expect(verdict(false, {})).toBe('skip');
    expect(verdict(false, { CI: 'false' })).toBe('skip');
    expect(verdict(false, { CI: 'true' })).toBe('fail');
    expect(verdict(false, { CI: '1' })).toBe('fail');
  });
});

describe('a test file that needs redis-server, without redis-server', () => {
  it('is skipped with one line naming the program and how to install it', async () => {
    const { code, output } = await runJest(NEEDS_REDIS, withoutRedis(undefined));
    const skipLines = output.split('\n').filter((line) => line.startsWith('skipped: '));
    expect(skipLines).toEqual([
      expect.stringContaining('redis-server not found (PATH or REDIS_SERVER_PATH); install: sudo apt-get install redis-server'),
    ]);
    expect(output).toMatch(/Tests:\s+\d+ skipped, \d+ total/);
    expect(code).toBe(0);
  }, 70_000);

  it('fails the run when CI is set', async () => {
    const { code, output } = await runJest(NEEDS_REDIS, withoutRedis('true'));
    expect(output).toContain('CI is set, so a missing system dependency fails the run');
    expect(output).toMatch(/Tests:\s+1 failed, 1 total/);
    expect(code).toBe(1);
  }, 70_000);
});
