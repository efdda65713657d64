#!/usr/bin/env node
/**
 * Checks src/ against the floor plan in .dependency-cruiser.mjs (docs/architecture.md, "Floor plan
 * and import rules") and prints three figures: imports against the layer order (by rule), import
 * cycles between files, and import cycles between folders (a folder is the first directory under
 * src/; a file directly in src/ stands for itself). Exits 1 on any import against the rules, any
 * file not on the plan, any file cycle, or any folder cycle other than the allowed one.
 *
 *   npm run lint:imports                 the project
 *   node scripts/import-rules.mjs --json  the same, as JSON
 *   node scripts/import-rules.mjs --base DIR   another tree laid out like the project (test fixtures)
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cruise } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';
import config, { allowedFolderCycleEdge, floors } from '../.dependency-cruiser.mjs';

const ROOT = resolve(import.meta.dirname, '..');
const CYCLE_RULE = 'no-file-cycles';

/** The folder a file counts in: `src/isc` for src/isc/stages/rate.ts, `src/gateway.ts` for itself. */
export const folderOf = (file) => file.split('/').slice(0, 2).join('/');

/**
 * The tangles of a graph: its strongly connected components of more than one node, each a set of
 * nodes that all reach each other (Tarjan). A folder cycle is counted as one tangle, however many
 * paths run around it.
 */
export function tanglesOf(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const tangles = [];
  const visit = (node) => {
    index.set(node, index.size);
    low.set(node, index.get(node));
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (stack.includes(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) !== index.get(node)) return;
    const component = stack.splice(stack.indexOf(node));
    if (component.length > 1) tangles.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return tangles;
}

const isAllowedFolderEdge = (dependencies) =>
  dependencies.every(
    ({ from, to, typeOnly }) =>
      new RegExp(allowedFolderCycleEdge.from).test(from) &&
      new RegExp(allowedFolderCycleEdge.to).test(to) &&
      (typeOnly || !allowedFolderCycleEdge.typeOnly),
  );

/** Cruises `baseDir`/src with the project's rules and returns what it found. */
export async function checkImports({ baseDir = ROOT } = {}) {
  const tsConfigFile = resolve(ROOT, config.options.tsConfig.fileName);
  const { output } = await cruise(
    ['src'],
    { ...config.options, tsConfig: { fileName: tsConfigFile }, baseDir, validate: true, ruleSet: { forbidden: config.forbidden } },
    {},
    { tsConfig: extractTSConfig(tsConfigFile) },
  );
  const modules = output.modules.filter((module) => module.source.startsWith('src/'));
  const dependencies = modules.flatMap((module) =>
    module.dependencies
      .filter((dependency) => dependency.resolved.startsWith('src/'))
      .map((dependency) => ({ from: module.source, to: dependency.resolved, typeOnly: dependency.dependencyTypes.includes('type-only') })),
  );

  const violations = output.summary.violations
    .filter((violation) => violation.rule.name !== CYCLE_RULE)
    .map(({ rule, from, to }) => ({ rule: rule.name, from, to }));
  const unplaced = modules.map((module) => module.source).filter((file) => !floors.some((floor) => new RegExp(floor.path).test(file)));

  const fileGraph = new Map(modules.map((module) => [module.source, new Set()]));
  for (const { from, to } of dependencies) fileGraph.get(from)?.add(to);

  const folderImports = new Map();
  for (const dependency of dependencies) {
    const key = `${folderOf(dependency.from)} → ${folderOf(dependency.to)}`;
    if (folderOf(dependency.from) !== folderOf(dependency.to)) folderImports.set(key, [...(folderImports.get(key) ?? []), dependency]);
  }
  const folderGraph = (keep) => {
    const graph = new Map();
    for (const [key, imports] of folderImports) {
      const [from, to] = key.split(' → ');
      if (keep(imports)) graph.set(from, (graph.get(from) ?? new Set()).add(to));
    }
    return graph;
  };
  const forbiddenTangles = tanglesOf(folderGraph((imports) => !isAllowedFolderEdge(imports)));
  const folderCycles = tanglesOf(folderGraph(() => true)).map((folders) => ({
    folders,
    allowed: !forbiddenTangles.some((tangle) => tangle.some((folder) => folders.includes(folder))),
    // Each import between two of its folders, with one file import that makes it.
    imports: [...folderImports]
      .filter(([key]) => key.split(' → ').every((folder) => folders.includes(folder)))
      .map(([key, imports]) => `${key} (${imports.length}, e.g. ${imports[0].from} → ${imports[0].to})`),
  }));

  // Two folders that import each other: the shortest folder cycles, the easiest to read.
  const mutualPairs = [...folderImports.keys()]
    .map((key) => key.split(' → '))
    .filter(([from, to]) => from < to && folderImports.has(`${to} → ${from}`))
    .map(([from, to]) => ({
      folders: [from, to],
      allowed: isAllowedFolderEdge(folderImports.get(`${from} → ${to}`)) || isAllowedFolderEdge(folderImports.get(`${to} → ${from}`)),
    }));

  return {
    rules: config.forbidden.map((rule) => rule.name),
    violations,
    importsAgainstRules: new Set(violations.map(({ from, to }) => `${from} → ${to}`)).size,
    unplaced,
    fileCycles: tanglesOf(fileGraph),
    folderCycles,
    folderCyclesWithoutException: forbiddenTangles.length,
    mutualPairs,
  };
}

/** The report printed by `npm run lint:imports`. */
export function describe({ violations, importsAgainstRules, unplaced, fileCycles, folderCycles, folderCyclesWithoutException, mutualPairs }) {
  const lines = [`Imports against the layer order: ${importsAgainstRules}`];
  for (const rule of [...new Set(violations.map((violation) => violation.rule))]) {
    const ofRule = violations.filter((violation) => violation.rule === rule);
    lines.push(`  ${rule}: ${ofRule.length}`, ...ofRule.map(({ from, to }) => `    ${from} → ${to}`));
  }
  if (unplaced.length > 0) lines.push(`Files on no floor of the plan: ${unplaced.length}`, ...unplaced.map((file) => `  ${file}`));
  lines.push(`File cycles: ${fileCycles.length}`, ...fileCycles.map((files) => `  ${files.join(', ')}`));
  lines.push(
    `Folder cycles: ${folderCycles.length}; without the codegen mapper imports (allowed): ${folderCyclesWithoutException}`,
    ...folderCycles.map(({ folders, allowed }) => `  ${folders.join(', ')}${allowed ? ' (allowed: the codegen mapper types)' : ''}`),
    `Folders importing each other: ${mutualPairs.length} pairs, ${mutualPairs.filter((pair) => pair.allowed).length} of them allowed`,
    ...mutualPairs.map(({ folders, allowed }) => `  ${folders.join(' ↔ ')}${allowed ? ' (allowed: the codegen mapper types)' : ''}`),
  );
  return lines.join('\n');
}

export const passes = (result) =>
  result.importsAgainstRules === 0 && result.unplaced.length === 0 && result.fileCycles.length === 0 && result.folderCyclesWithoutException === 0;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, base: { type: 'string' } } });
  const result = await checkImports({ baseDir: values.base ? resolve(values.base) : ROOT });
  process.stdout.write(`${values.json ? JSON.stringify(result, null, 2) : describe(result)}\n`);
  process.exitCode = passes(result) ? 0 : 1;
}
