import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';

/**
 * The import rules (.dependency-cruiser.mjs, run by `npm run lint:imports`) on two small trees laid
 * out like src/: `right/` imports only what the floor plan allows, `wrong/` breaks each rule once.
 * ESLint and the normal run leave test/lint/fixtures/ alone.
 */
const ROOT = new URL('../../', import.meta.url).pathname;

const runs = new Map<string, { status: number | null; stderr: string; result: any }>();

/** The checker's JSON on a fixture tree, run once per tree. */
function check(fixture: 'right' | 'wrong') {
  if (!runs.has(fixture)) runs.set(fixture, run(fixture));
  return runs.get(fixture)!;
}

function run(fixture: string) {
  const run = spawnSync(process.execPath, ['scripts/import-rules.mjs', '--json', '--base', `test/lint/fixtures/import-rules/${fixture}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: run.status, stderr: run.stderr, result: JSON.parse(run.stdout) };
}

describe('import rules', () => {
  it('fail each wrong import, the file off the plan, the file cycle and the folder cycle', () => {
    const { status, result } = check('wrong');

    expect(status).toBe(1);
    const byRule = (a: { rule: string; from: string }, b: { rule: string; from: string }) =>
      `${a.rule} ${a.from}`.localeCompare(`${b.rule} ${b.from}`);
    expect([...result.violations].sort(byRule)).toEqual(
      [
        { rule: 'ground-floor-imports-nothing-above', from: 'src/log/logger.ts', to: 'src/isc/agents.ts' },
        { rule: 'isc-and-limits-import-no-domain', from: 'src/limits/cost-plugin.ts', to: 'src/source-apps/source-apps.api.ts' },
        { rule: 'infrastructure-imports-no-edge', from: 'src/limits/cost.ts', to: 'src/schema.ts' },
        { rule: 'observability-never-imports-the-http-server', from: 'src/observability/metrics.ts', to: 'src/http/router.ts' },
        { rule: 'request-context-imports-ground-and-isc', from: 'src/context.ts', to: 'src/limits/cost.ts' },
        {
          rule: 'domains-import-only-the-floors-below',
          from: 'src/connectors/connectors.resolvers.ts',
          to: 'src/limits/cost-plugin.ts',
        },
        {
          rule: 'domains-import-only-the-floors-below',
          from: 'src/connectors/connectors.resolvers.ts',
          to: 'src/source-apps/source-apps.api.ts',
        },
        { rule: 'domains-import-only-types-of-isc', from: 'src/connectors/connectors.api.ts', to: 'src/isc/agents.ts' },
        {
          rule: 'user-apps-import-only-the-floors-below-and-the-source-app-lookup',
          from: 'src/user-apps/user-apps.resolvers.ts',
          to: 'src/source-apps/source-apps.api.ts',
        },
        { rule: 'generated-imports-only-mapper-types', from: 'src/generated/graphql.ts', to: 'src/connectors/connectors.api.ts' },
        { rule: 'generated-imports-only-types', from: 'src/generated/graphql.ts', to: 'src/shared/first.ts' },
        { rule: 'only-start-up-code-imports-the-demo-tenant', from: 'src/http/router.ts', to: 'src/demo-tenant/server.ts' },
        { rule: 'demo-tenant-imports-only-the-ground-floor', from: 'src/demo-tenant/server.ts', to: 'src/limits/cost-plugin.ts' },
      ].sort(byRule),
    );
    expect(result.importsAgainstRules).toBe(13);
    expect(result.unplaced).toEqual(['src/stray.ts']);
    expect(result.fileCycles).toEqual([['src/shared/first.ts', 'src/shared/second.ts']]);
    expect(result.folderCycles).toEqual([{ folders: ['src/isc', 'src/observability'], allowed: false, imports: expect.any(Array) }]);
    expect(result.folderCyclesWithoutException).toBe(1);
  });

  it('have a wrong import in the fixture for every rule, so that none goes untested', () => {
    const { result } = check('wrong');

    expect(result.rules).toContain('ground-floor-imports-nothing-above');
    const layerRules = result.rules.filter((name: string) => name !== 'no-file-cycles');
    expect(new Set(result.violations.map((violation: { rule: string }) => violation.rule))).toEqual(new Set(layerRules));
  });

  it('pass the imports the floor plan allows, with the codegen mapper types as the one folder cycle', () => {
    const { status, stderr, result } = check('right');

    expect(stderr).toBe('');
    expect(result.violations).toEqual([]);
    expect(result.unplaced).toEqual([]);
    expect(result.fileCycles).toEqual([]);
    expect(result.folderCycles).toEqual([{ folders: ['src/connectors', 'src/generated'], allowed: true, imports: expect.any(Array) }]);
    expect(result.folderCyclesWithoutException).toBe(0);
    expect(status).toBe(0);
  });
});
