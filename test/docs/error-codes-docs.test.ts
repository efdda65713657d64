import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { ERROR_OUTCOMES } from '../../src/observability/metrics.js';
import { ERROR_CODES } from '../../src/shared/errors.js';

/**
 * docs/graph.md's "Error codes" table lists the catalogue of src/shared/errors.ts (code, HTTP
 * status, meaning), and nothing else. A row is `| \`CODE\` | status or — | meaning |`, between the
 * section's heading and the next one.
 */
const ROOT = new URL('../../', import.meta.url);

function documentedCodes(): Record<string, { status: number | undefined; meaning: string }> {
  const markdown = readFileSync(new URL('docs/graph.md', ROOT), 'utf8');
  const section = /^## Error codes\n([\s\S]*?)(?=^## )/m.exec(markdown)?.[1] ?? '';
  const rows = section.split('\n').filter((line) => /^\|\s*`/.test(line));
  return Object.fromEntries(
    rows.map((row) => {
      const [code, status, meaning] = row
        .replace(/^\|/, '')
        .replace(/\|\s*$/, '')
        .split('|')
        .map((cell) => cell.trim());
      return [code.replace(/`/g, ''), { status: status === '—' ? undefined : Number(status), meaning }];
    }),
  );
}

/** The codes the integration tests see the gateway answer (Node's own errno codes, EADDRINUSE…, aside). */
function codesAssertedByIntegrationTests(): Set<string> {
  const dir = new URL('test/integration/', ROOT);
  const pattern = /(?:code: |code\(|\.code\)\.toBe\()'([A-Z][A-Z0-9_]+)'/g;
  const codes = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    for (const match of readFileSync(new URL(file, dir), 'utf8').matchAll(pattern)) if (!/^E[A-Z]+$/.test(match[1])) codes.add(match[1]);
  }
  return codes;
}

describe('docs/graph.md: the error codes', () => {
  it('lists every code of the catalogue with its HTTP status and meaning, and no other', () => {
    const documented = documentedCodes();
    expect(Object.keys(documented).length).toBeGreaterThan(0);
    expect(documented).toEqual(Object.fromEntries(Object.entries(ERROR_CODES).map(([code, entry]) => [code, { ...entry }])));
  });

  it('the catalogue holds every code the metrics count and every code the integration tests see answered', () => {
    const catalogue = Object.keys(ERROR_CODES);
    const counted = ERROR_OUTCOMES.filter((outcome) => outcome !== 'other_error').map((outcome) => outcome.toUpperCase());
    expect(catalogue).toEqual(expect.arrayContaining(counted));
    const answered = [...codesAssertedByIntegrationTests()];
    expect(answered.length).toBeGreaterThan(10);
    expect(catalogue).toEqual(expect.arrayContaining(answered));
  });
});
