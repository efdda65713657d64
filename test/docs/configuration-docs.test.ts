import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { RENAMED_SETTINGS, RETIRED_SETTINGS, readEnvironment } from '../../src/config/parse.js';

/**
 * docs/configuration.md lists every environment variable the gateway reads, and nothing else.
 *
 * "Read by src" is found statically, in every .ts file under src/ except src/generated/:
 * - `env.NAME`, `env?.NAME` and `process.env.NAME` (an upper-case NAME; whitespace and a line
 *   break may sit around the dot, as Prettier writes long chains);
 * - `env['NAME']` and `env["NAME"]`;
 * - a string literal handed to a helper together with the environment, `helper(env, 'NAME', …)`:
 *   how src/config/parse.ts's integerSetting / flagSetting (imported as `integer` / `flag`) and
 *   src/config/upstream.ts's `proxyEnv` are called;
 * - every key and value of RENAMED_SETTINGS (current names and the earlier names still read);
 * - every key of RETIRED_SETTINGS (read only to warn that they no longer have an effect);
 * - the platform fallbacks of src/config/parse.ts (`PLATFORM_FALLBACKS = { SAIL_PORT: 'PORT' }`, not
 *   exported, so read from its source), checked against readEnvironment's behaviour.
 *
 * "Listed in the docs" = the names in backticks in the first column, or in a column headed
 * "alias", of every Markdown table of docs/configuration.md (a table: consecutive lines starting
 * with `|`, whose second line is the `|---|` separator; tables inside fenced code blocks do not
 * count). Backticked names elsewhere (prose, the meaning column, code blocks) are not listings.
 *
 * Standard variables, read by Node, libraries or the OpenTelemetry SDK as well, are exempt from
 * both directions: OTEL_*, HTTP_PROXY, HTTPS_PROXY, NO_PROXY (any case), NODE_EXTRA_CA_CERTS,
 * NODE_ENV. They may be listed (in their own section) or not.
 */
const ROOT = new URL('../../', import.meta.url);
const SRC = fileURLToPath(new URL('src/', ROOT));

const NAME = '[A-Za-z_][A-Za-z0-9_]*';
const UPPER_NAME = '[A-Z][A-Z0-9_]*';
const READ_PATTERNS: readonly RegExp[] = [
  new RegExp(`\\benv\\s*\\??\\.\\s*(${UPPER_NAME})\\b`, 'g'), // env.NAME, env?.NAME, process.env.NAME, env\n  .NAME
  new RegExp(`\\benv\\s*\\[\\s*['"](${NAME})['"]\\s*\\]`, 'g'), // env['NAME']
  new RegExp(`\\(\\s*env\\s*,\\s*['"](${NAME})['"]`, 'g'), // helper(env, 'NAME', …)
];

function isStandardVariable(name: string): boolean {
  return /^OTEL_/i.test(name) || /^(HTTP_PROXY|HTTPS_PROXY|NO_PROXY)$/i.test(name) || name === 'NODE_EXTRA_CA_CERTS' || name === 'NODE_ENV';
}

/** The variable names one source file reads, by the patterns above. */
function namesReadIn(source: string): Set<string> {
  const names = new Set<string>();
  for (const pattern of READ_PATTERNS) for (const match of source.matchAll(pattern)) names.add(match[1]);
  return names;
}

/** `PLATFORM_FALLBACKS = { SAIL_PORT: 'PORT' }` in src/config/parse.ts's source: current name → fallback name. */
function platformFallbacks(settingsSource: string): Record<string, string> {
  const literal = /PLATFORM_FALLBACKS\b[^=]*=\s*\{([^}]*)\}/.exec(settingsSource)?.[1] ?? '';
  return Object.fromEntries([...literal.matchAll(new RegExp(`(${UPPER_NAME})\\s*:\\s*['"](${UPPER_NAME})['"]`, 'g'))].map((m) => [m[1], m[2]]));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const file = join(dir, entry);
      if (statSync(file).isDirectory()) return relative(SRC, file) === 'generated' ? [] : sourceFiles(file);
      return file.endsWith('.ts') ? [file] : [];
    });
}

/** Splits a table row into its cells; a `|` inside backticks (or escaped) does not end a cell. */
function tableCells(row: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let inCode = false;
  const text = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && text[i + 1] === '|') {
      cell += '|';
      i++;
    } else if (c === '`') {
      inCode = !inCode;
      cell += c;
    } else if (c === '|' && !inCode) {
      cells.push(cell.trim());
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell.trim());
  return cells;
}

interface ListedRow {
  /** 1-based line in the page. */
  line: number;
  names: string[];
  aliases: string[];
}

const backticked = (cell: string | undefined): string[] => [...(cell ?? '').matchAll(new RegExp(`\`(${NAME})\``, 'g'))].map((m) => m[1]);

/** Every row of every table in `markdown`, outside fenced code: the names of its first column and of its "alias" column. */
function listedRows(markdown: string): ListedRow[] {
  const lines = markdown.split('\n');
  const rows: ListedRow[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const opening = /^ {0,3}(`{3,}|~{3,})/.exec(lines[i]);
    if (opening) {
      if (fence === undefined) fence = opening[1][0];
      else if (lines[i].trim().startsWith(fence.repeat(3))) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    const isRow = (line: string | undefined) => line?.trim().startsWith('|') === true;
    const isSeparator = (line: string | undefined) => isRow(line) && tableCells(line!).every((c) => /^:?-{3,}:?$/.test(c));
    if (!isRow(lines[i]) || !isSeparator(lines[i + 1])) continue;
    // A table: header, separator, then rows until the first line that is not a row.
    const aliasColumn = tableCells(lines[i]).findIndex((header) => /^alias/i.test(header));
    let j = i + 2;
    for (; isRow(lines[j]); j++) {
      const cells = tableCells(lines[j]);
      rows.push({ line: j + 1, names: backticked(cells[0]), aliases: aliasColumn > 0 ? backticked(cells[aliasColumn]) : [] });
    }
    i = j - 1;
  }
  return rows;
}

/** What a page lacks and what it has too many of, standard variables left out; both sorted. */
function compare(read: Iterable<string>, listed: Iterable<string>): { missingFromDocs: string[]; notRead: string[] } {
  const readSet = new Set([...read].filter((n) => !isStandardVariable(n)));
  const listedSet = new Set([...listed].filter((n) => !isStandardVariable(n)));
  return {
    missingFromDocs: [...readSet].filter((n) => !listedSet.has(n)).sort(),
    notRead: [...listedSet].filter((n) => !readSet.has(n)).sort(),
  };
}

const settingsSource = readFileSync(new URL('src/config/parse.ts', ROOT), 'utf8');
const fallbacks = platformFallbacks(settingsSource);
const readInCode = new Set(sourceFiles(SRC).flatMap((file) => [...namesReadIn(readFileSync(file, 'utf8'))]));
const readBySrc = new Set([
  ...readInCode,
  ...Object.keys(RENAMED_SETTINGS),
  ...Object.values(RENAMED_SETTINGS),
  ...Object.keys(RETIRED_SETTINGS),
  ...Object.keys(fallbacks),
  ...Object.values(fallbacks),
]);

const page = readFileSync(new URL('docs/configuration.md', ROOT), 'utf8');
const rows = listedRows(page);
const listed = new Set(rows.flatMap((row) => [...row.names, ...row.aliases]));

describe('docs/configuration.md', () => {
  it('finds a plausible number of variables on both sides (an extraction that finds none would pass vacuously)', () => {
    const own = [...readBySrc].filter((n) => !isStandardVariable(n));
    expect(own.length).toBeGreaterThanOrEqual(40);
    expect(listed.size).toBeGreaterThanOrEqual(40);
    // Each kind of read is seen in src: a pattern that stopped matching would silently shrink the set.
    for (const name of ['SAIL_RATE_LIMIT', 'SAIL_BASE_URL', 'SAIL_DEMO_TENANT_PORT', 'OTEL_TRACES_EXPORTER', 'https_proxy']) {
      expect([name, readInCode.has(name)]).toEqual([name, true]);
    }
  });

  it('lists every variable the code reads', () => {
    expect({ missingFromDocs: compare(readBySrc, listed).missingFromDocs }).toEqual({ missingFromDocs: [] });
  });

  it('lists no variable the code does not read', () => {
    expect({ listedButNotRead: compare(readBySrc, listed).notRead }).toEqual({ listedButNotRead: [] });
  });

  it("gives each renamed setting's earlier name in the alias column of its own row", () => {
    const wrong = Object.entries({ ...RENAMED_SETTINGS, ...fallbacks }).filter(
      ([current, earlier]) => !rows.some((row) => row.names.includes(current) && row.aliases.includes(earlier)),
    );
    expect({ withoutTheirAlias: wrong.map(([current, earlier]) => `${current} (alias ${earlier})`) }).toEqual({ withoutTheirAlias: [] });
  });

  it('reads the platform fallbacks from src/config/parse.ts as readEnvironment applies them', () => {
    expect(fallbacks).toEqual({ SAIL_PORT: 'PORT' });
    for (const [current, fallback] of Object.entries(fallbacks)) {
      expect(readEnvironment({ [fallback]: '4321' }).env[current]).toBe('4321');
    }
  });
});

describe('configuration extraction', () => {
  const code = [
    "const port = integer(env, 'SAIL_A', 4000, 0, 65535);",
    'const host = env.SAIL_B || env?.SAIL_C;',
    "const x = env['SAIL_D'] ?? process.env.SAIL_E;",
    'const y = env',
    '  .SAIL_F!.split(",");',
    "const proxy = proxyEnv(env, 'https_proxy');",
    'const notASetting = env.keys; // lower-case members are not settings',
  ].join('\n');

  const doc = [
    '# Settings',
    '',
    '| variable | alias | default | meaning |',
    '|---|---|---|---|',
    '| `SAIL_A` | `A` | `4000` | Same as `SAIL_Z` (meaning column: not a listing). |',
    '| `SAIL_B`, `SAIL_C` | | `on|off` | Two in one row; a pipe in backticks stays in its cell. |',
    '| `SAIL_D` | | | |',
    '| `SAIL_UNREAD` | | | Listed but read by nothing. |',
    '',
    '`SAIL_E` in prose is not a listing.',
    '',
    '```md',
    '| `SAIL_F` | in a code block |',
    '|---|---|',
    '| `SAIL_F` | not a listing |',
    '```',
    '',
    '| standard | meaning |',
    '|---|---|',
    '| `HTTPS_PROXY` | exempt |',
  ].join('\n');

  it('finds each pattern of reading in code', () => {
    expect([...namesReadIn(code)].sort()).toEqual(['SAIL_A', 'SAIL_B', 'SAIL_C', 'SAIL_D', 'SAIL_E', 'SAIL_F', 'https_proxy']);
  });

  it('takes names from the first and alias columns of tables only', () => {
    expect(listedRows(doc).map((row) => [row.line, row.names, row.aliases])).toEqual([
      [5, ['SAIL_A'], ['A']],
      [6, ['SAIL_B', 'SAIL_C'], []],
      [7, ['SAIL_D'], []],
      [8, ['SAIL_UNREAD'], []],
      [20, ['HTTPS_PROXY'], []],
    ]);
  });

  it('reports a variable read by code but missing from the page, and one listed but not read', () => {
    const listedInDoc = listedRows(doc).flatMap((row) => [...row.names, ...row.aliases]);
    expect(compare([...namesReadIn(code), 'A'], listedInDoc)).toEqual({ missingFromDocs: ['SAIL_E', 'SAIL_F'], notRead: ['SAIL_UNREAD'] });
  });

  it('exempts the standard variables, in any case', () => {
    expect(
      ['OTEL_SERVICE_NAME', 'https_proxy', 'No_Proxy', 'NODE_ENV', 'NODE_EXTRA_CA_CERTS', 'SAIL_HOST', 'NODE_OPTIONS'].filter(isStandardVariable),
    ).toEqual(['OTEL_SERVICE_NAME', 'https_proxy', 'No_Proxy', 'NODE_ENV', 'NODE_EXTRA_CA_CERTS']);
  });

  it('reads PLATFORM_FALLBACKS from a source text', () => {
    expect(platformFallbacks("const PLATFORM_FALLBACKS: Readonly<Record<string, string>> = { SAIL_PORT: 'PORT', SAIL_X: 'X' };")).toEqual({
      SAIL_PORT: 'PORT',
      SAIL_X: 'X',
    });
  });
});
