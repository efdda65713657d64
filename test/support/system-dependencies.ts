import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { describe, it } from '@jest/globals';

/**
 * Programs some tests need that npm cannot install (Debian packages). `.ci/run` installs them;
 * on a machine without one, its tests are skipped with one line saying what is missing, except
 * under CI, where a missing program fails the run instead of hiding the tests.
 */
export interface SystemDependency {
  /** The program, looked up on PATH unless `pathVariable` names it. */
  command: string;
  /** Environment variable holding an explicit path to the program. */
  pathVariable: string;
  /** How to install it, for the skip line. */
  install: string;
}

export const REDIS_SERVER: SystemDependency = {
  command: 'redis-server',
  pathVariable: 'REDIS_SERVER_PATH',
  install: 'sudo apt-get install redis-server (Debian/Ubuntu), or set REDIS_SERVER_PATH',
};

export const CHROMIUM: SystemDependency = {
  command: 'chromium',
  pathVariable: 'CHROMIUM_PATH',
  install: 'sudo apt-get install chromium (Debian/Ubuntu), or set CHROMIUM_PATH',
};

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The program's path, or undefined when it cannot be found. */
export function locate(dependency: SystemDependency, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const explicit = env[dependency.pathVariable];
  if (explicit) return executable(explicit) ? explicit : undefined;
  if (isAbsolute(dependency.command)) return executable(dependency.command) ? dependency.command : undefined;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    const candidate = join(dir, dependency.command);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/** What a test file does about a dependency: run, skip (with a line), or fail (missing under CI). */
export function verdict(found: boolean, env: NodeJS.ProcessEnv = process.env): 'run' | 'skip' | 'fail' {
  if (found) return 'run';
  return env.CI && env.CI !== 'false' && env.CI !== '0' ? 'fail' : 'skip';
}

/**
 * `describe` for tests that need `dependency`: the block runs when the program is found; when it
 * is missing it is skipped with one line on stderr, or, under CI, replaced by a failing test.
 */
export function describeWith(dependency: SystemDependency, title: string, body: (path: string) => void): void {
  const path = locate(dependency);
  const missing = `${dependency.command} not found (PATH or ${dependency.pathVariable})`;
  switch (verdict(path !== undefined)) {
    case 'run':
      describe(title, () => body(path!));
      return;
    case 'skip':
      process.stderr.write(`skipped: ${title}: ${missing}; install: ${dependency.install}\n`);
      // The one kind of skip the project allows: a system program missing outside CI.
      describe.skip(title, () => body(dependency.command));
      return;
    case 'fail':
      describe(title, () => {
        it(`needs ${dependency.command}`, () => {
          throw new Error(`${missing}; CI is set, so a missing system dependency fails the run. Install: ${dependency.install}`);
        });
      });
  }
}
