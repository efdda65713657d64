import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { documentationFiles } from '../support/markdown-examples.js';

/**
 * README is for users, read in ten minutes: short, with the sections a newcomer looks for, and
 * depth in docs/. Every relative link of README and docs/*.md points at a file that exists.
 */
const ROOT = new URL('../../', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, ROOT), 'utf8');

describe('README', () => {
  const readme = read('README.md');

  it('is at most 300 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(300);
  });

  it('has the sections a newcomer needs, in this order', () => {
    const headings: string[] = readme.match(/^## .+$/gm) ?? [];
    const wanted = ['## Two commands', '## Connect your tenant', '## Call it from a frontend or a router', '## Essential settings', '## Tests'];
    expect(wanted.filter((h) => headings.includes(h))).toEqual(wanted);
    expect(wanted.map((h) => headings.indexOf(h))).toEqual([...wanted.map((h) => headings.indexOf(h))].sort((a, b) => a - b));
  });
});

describe('the project says what it is', () => {
  const pkg = JSON.parse(read('package.json')) as { version: string; license: string };

  it('LICENSE is the license package.json names, with the authors as copyright holder', () => {
    expect(pkg.license).toBe('MIT');
    const license = read('LICENSE');
    expect(license.split('\n')[0]).toBe('MIT License');
    expect(license).toMatch(/^Copyright \(c\) \d{4} The ISC GraphQL gateway authors$/m);
  });

  it("CHANGELOG.md (Keep a Changelog) has an entry for package.json's version, the newest released one", () => {
    const changelog = read('CHANGELOG.md');
    expect(changelog).toContain('[Keep a Changelog]');
    const released = [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/gm)].map((m) => m[1]);
    expect(released[0]).toBe(pkg.version);
    expect(released).toContain('0.1.0');
  });
});

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

const relativeLinks = (file: string) =>
  [
    ...read(file)
      .replace(/```[\s\S]*?```/g, '')
      .matchAll(/\]\(([^)\s]+)\)/g),
  ]
    .map((m) => m[1])
    .filter((t) => !/^(https?:|mailto:)/.test(t));

describe('links', () => {
  const files = ['README.md', ...documentationFiles(ROOT).filter((f) => f !== 'README.md')];

  it('README links into docs/ (the extraction finds them)', () => {
    expect(relativeLinks('README.md').filter((t) => t.startsWith('docs/')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(files)('every relative link of %s resolves to a file, and its #anchor to a heading there', (file) => {
    const broken = relativeLinks(file).filter((target) => {
      const [path, anchor] = target.split('#');
      const resolved = path === '' ? new URL(file, ROOT) : new URL(path, new URL(file, ROOT));
      if (!existsSync(resolved)) return true;
      if (anchor === undefined || !resolved.pathname.endsWith('.md')) return false;
      const headings = (readFileSync(resolved, 'utf8').match(/^#+ .+$/gm) ?? []).map((h) => anchorOf(h.replace(/^#+ /, '')));
      return !headings.includes(anchor);
    });
    expect(broken).toEqual([]);
  });
});
