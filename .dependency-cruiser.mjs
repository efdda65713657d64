// The floor plan of src/ and who may import whom (docs/architecture.md, "Floor plan and import
// rules"). Checked by `npm run lint:imports` (scripts/import-rules.mjs), which `npm run lint` runs.
// Paths are relative to the project root; a folder is the first directory under src/.

const GROUND_FLOOR = '^src/(log|config|redis|shared)(/|\\.ts$)';
const DOMAINS = '^src/(connectors|connector-customizers|source-apps|oauth-clients|user-apps)/';
const REQUEST_CONTEXT = '^src/context\\.ts$';
const GENERATED = '^src/generated/';
const EDGE = '^src/(http/|playground/|(schema|domains|gateway|index|readiness|static-site)\\.ts$)';
const START_UP = '^src/(gateway|index)\\.ts$';
const DEMO_TENANT = '^src/demo-tenant/';
/**
 * The one edge between domains: a user app is an instance of a source app (ISC's apps
 * specification), so `UserApp.sourceApp` goes through the source-app lookup and its reference mapping.
 */
/** What every domain may import besides its own folder. */
const DOMAIN_FLOORS = [GROUND_FLOOR, REQUEST_CONTEXT, GENERATED, '^src/isc/', '^src/limits/cost\\.ts$'];
const USER_APPS_SOURCE_APP_LOOKUP = '^src/source-apps/source-apps\\.(loaders|mappers)\\.ts$';

/** Every file of src/ stands on one floor, bottom to top; a file on none fails the check. */
export const floors = [
  { name: 'ground floor', path: GROUND_FLOOR },
  { name: 'infrastructure', path: '^src/(isc|limits|auth|observability)/' },
  { name: 'request context', path: REQUEST_CONTEXT },
  { name: 'domains', path: DOMAINS },
  // Codegen output: the resolver types, pointing at the domains' mapper types (see the folder cycle below).
  { name: 'generated types', path: GENERATED },
  { name: 'edge and wiring', path: EDGE },
  // A fake ISC, started by the start-up code when no tenant is configured.
  { name: 'demo tenant', path: DEMO_TENANT },
];

/**
 * The one folder cycle allowed: src/generated/graphql.ts imports the domains' mapper types (codegen
 * `mappers`), and the domains import the generated resolver types. Kept because the mapper types
 * belong beside their domain's translation code (the role table); an import of this shape is
 * type-only and erased at run time.
 */
export const allowedFolderCycleEdge = { from: GENERATED, to: `${DOMAINS}[^/]+\\.mappers\\.ts$`, typeOnly: true };

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'ground-floor-imports-nothing-above',
      comment: 'src/log, src/config, src/redis and src/shared import only each other, node: and npm packages.',
      severity: 'error',
      from: { path: GROUND_FLOOR },
      to: { path: '^src/', pathNot: GROUND_FLOOR },
    },
    {
      name: 'isc-and-limits-import-no-domain',
      comment: 'The infrastructure learns the domains through src/domains.ts; the generated types carry domain types.',
      severity: 'error',
      from: { path: '^src/(isc|limits)/' },
      to: { path: [DOMAINS, GENERATED] },
    },
    {
      name: 'infrastructure-imports-no-edge',
      comment: 'The upstream pipeline, limits, auth and the request context never import the HTTP edge or the wiring.',
      severity: 'error',
      from: { path: ['^src/(isc|limits|auth)/', REQUEST_CONTEXT] },
      to: { path: EDGE },
    },
    {
      name: 'observability-never-imports-the-http-server',
      comment: 'Observability is handed what it observes; it imports neither src/http/ nor the wiring.',
      severity: 'error',
      from: { path: '^src/observability/' },
      to: { path: EDGE },
    },
    {
      name: 'request-context-imports-ground-and-isc',
      comment: 'src/context.ts stands on the upstream pipeline, so that limits, observability and the domains may import it.',
      severity: 'error',
      from: { path: REQUEST_CONTEXT },
      to: { path: '^src/', pathNot: [GROUND_FLOOR, '^src/isc/'] },
    },
    {
      name: 'domains-import-only-the-floors-below',
      comment:
        'A domain imports its own folder, the ground floor, the request context, the generated types, ' +
        'the types of src/isc/ and the cost table (src/limits/cost.ts); never another domain.',
      severity: 'error',
      from: { path: DOMAINS, pathNot: '^src/user-apps/' },
      to: { path: '^src/', pathNot: ['^src/$1/', ...DOMAIN_FLOORS] },
    },
    {
      name: 'user-apps-import-only-the-floors-below-and-the-source-app-lookup',
      comment: 'As every domain, plus the source-app lookup and reference mapping that UserApp.sourceApp goes through.',
      severity: 'error',
      from: { path: '^src/user-apps/' },
      to: { path: '^src/', pathNot: ['^src/user-apps/', ...DOMAIN_FLOORS, USER_APPS_SOURCE_APP_LOOKUP] },
    },
    {
      name: 'domains-import-only-types-of-isc',
      comment: 'A domain calls ISC through the Upstream handed to it in the context: from src/isc/ it imports types (`import type`).',
      severity: 'error',
      from: { path: DOMAINS },
      to: { path: '^src/isc/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'generated-imports-only-mapper-types',
      comment: 'The codegen output imports, as types only, the mapper types of the domains, the context and the ground floor.',
      severity: 'error',
      from: { path: GENERATED },
      to: { path: '^src/', pathNot: [`${DOMAINS}[^/]+\\.mappers\\.ts$`, REQUEST_CONTEXT, GROUND_FLOOR] },
    },
    {
      name: 'generated-imports-only-types',
      severity: 'error',
      from: { path: GENERATED },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-start-up-code-imports-the-demo-tenant',
      comment: 'src/gateway.ts and src/index.ts start the demo tenant when no ISC tenant is configured; nothing else knows it.',
      severity: 'error',
      from: { path: '^src/', pathNot: [START_UP, DEMO_TENANT] },
      to: { path: DEMO_TENANT },
    },
    {
      name: 'demo-tenant-imports-only-the-ground-floor',
      comment: 'The demo tenant is a fake ISC: it shares the ground floor with the gateway and nothing more.',
      severity: 'error',
      from: { path: DEMO_TENANT },
      to: { path: '^src/', pathNot: [DEMO_TENANT, GROUND_FLOOR] },
    },
    {
      name: 'no-file-cycles',
      comment: 'No import cycle between files (counted by type-only imports too).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
  ],
  options: {
    // Type-only imports count: the layering is about what a file knows, not only what it runs.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    includeOnly: '^src/',
  },
};
