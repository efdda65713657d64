#!/usr/bin/env node
/**
 * Compiles src/ to dist/ with tsc. With `--if-stale` (what `npm start` and `npm run demo-tenant`
 * use) it compiles only when a source is newer than the last successful build, whose time a
 * stamp file records: a failed build leaves no stamp, so the next start tries again.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const STAMP = 'dist/.build-stamp';
const SOURCES = ['src', 'scripts', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

/** Newest modification time under `path` (a directory's own time changes when a file is added or removed). */
function newest(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((max, entry) => Math.max(max, newest(join(path, entry))), stats.mtimeMs);
}

function builtAt() {
  try {
    return statSync(STAMP).mtimeMs;
  } catch {
    return -1;
  }
}

if (process.argv.includes('--if-stale') && Math.max(...SOURCES.map(newest)) < builtAt()) process.exit(0);

process.stderr.write('Building dist/ with tsc…\n');
rmSync(STAMP, { force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const { status } = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (status !== 0) process.exit(status ?? 1);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
