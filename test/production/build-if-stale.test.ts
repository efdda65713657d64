import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';

/**
 * `npm start` runs `scripts/build.mjs --if-stale`: it compiles only when a source is newer than
 * the last successful build, and a failed build leaves no stamp, so the next start tries again.
 * Checked on a small project of its own (the real script, the repository's TypeScript).
 */
const ROOT = new URL('../../', import.meta.url).pathname;
const project = mkdtempSync(join(tmpdir(), 'build-if-stale-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

mkdirSync(join(project, 'src'));
mkdirSync(join(project, 'scripts'));
copyFileSync(join(ROOT, 'scripts/build.mjs'), join(project, 'scripts/build.mjs'));
symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'));
writeFileSync(join(project, 'package-lock.json'), '{}\n');
writeFileSync(
  join(project, 'tsconfig.json'),
  JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, outDir: 'dist', allowJs: false, skipLibCheck: true } }),
);
writeFileSync(join(project, 'tsconfig.build.json'), JSON.stringify({ extends: './tsconfig.json', include: ['src'] }));
const source = join(project, 'src/index.ts');
const stamp = join(project, 'dist/.build-stamp');

function build(): { status: number | null; built: boolean } {
  const run = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: project, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, built: run.stderr.includes('Building dist/ with tsc') };
}

/** Sets a file's modification time `secondsAgo` in the past (0: now), so ordering never depends on the clock's resolution. */
const touch = (file: string, secondsAgo: number) => {
  const at = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(file, at, at);
};

describe('scripts/build.mjs --if-stale', () => {
  it('builds when there is no build, then not again until a source is newer; a failed build leaves no stamp, so the next start builds', () => {
    writeFileSync(source, 'export const answer: number = 42;\n');
    for (const file of [
      source,
      join(project, 'src'),
      join(project, 'tsconfig.json'),
      join(project, 'tsconfig.build.json'),
      join(project, 'package-lock.json'),
    ]) {
      touch(file, 60);
    }
    touch(join(project, 'scripts/build.mjs'), 60);
    touch(join(project, 'scripts'), 60);

    expect(build()).toEqual({ status: 0, built: true });
    expect(existsSync(join(project, 'dist/index.js'))).toBe(true);
    expect(existsSync(stamp)).toBe(true);
    expect(build()).toEqual({ status: 0, built: false });

    writeFileSync(source, 'export const answer: number = 43;\n'); // newer than the stamp
    expect(build()).toEqual({ status: 0, built: true });
    expect(build()).toEqual({ status: 0, built: false });

    writeFileSync(source, 'export const answer: number = "not a number";\n');
    const failed = build();
    expect(failed.built).toBe(true);
    expect(failed.status).not.toBe(0);
    expect(existsSync(stamp)).toBe(false);
    touch(source, 120); // older than anything: only the missing stamp can make it build
    expect(build().built).toBe(true);
  });
});
