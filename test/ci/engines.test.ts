import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import semver from 'semver';

/**
 * `npm ci` warns EBADENGINE for every locked package whose `engines.node` excludes the Node it runs
 * on. The project's own `engines` names the Node versions it supports; every package in the
 * lockfile, production and development, must accept all of them, so no supported Node warns.
 */
const read = (file: string) => JSON.parse(readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8')) as Record<string, any>;

describe('Node versions', () => {
  const supported = read('package.json').engines.node as string;
  const locked = Object.entries(read('package-lock.json').packages as Record<string, { engines?: { node?: unknown } }>).filter(
    ([name]) => name !== '',
  );

  it('the Node running the tests is one the project supports', () => {
    expect(semver.satisfies(process.version, supported)).toBe(true);
  });

  it('every locked package accepts every supported Node version (npm ci prints no EBADENGINE)', () => {
    const withEngines = locked.filter(([, p]) => typeof p.engines?.node === 'string');
    expect(withEngines.length).toBeGreaterThan(100);
    const refusing = withEngines
      .filter(([, p]) => !semver.subset(supported, p.engines!.node as string))
      .map(([name, p]) => `${name}: ${String(p.engines!.node)}`);
    expect(refusing).toEqual([]);
  });

  it('the lockfile records the same engines as package.json', () => {
    expect(read('package-lock.json').packages[''].engines).toEqual({ node: supported });
  });
});
