import { describe, expect, it } from '@jest/globals';
import { getIntrospectionQuery, type GraphQLError, isObjectType, parse, validate, specifiedRules, type ValidationRule } from 'graphql';
import { loadConfig } from '../../src/config/index.js';
import { COSTS } from '../../src/domains.js';
import { estimateUpstreamCalls, pageCalls } from '../../src/limits/cost.js';

const FIELD_COSTS = COSTS.fields;
const DETAIL_FIELDS = COSTS.detailFields;
/** Whether the caller is known to be refused the batched source-app list (see CallerFacts). */
type BatchFallback = 'never' | 'maybe' | 'always';
import type { QueryLimits } from '../../src/limits/query-limits.js';
import { checkRequestLimits, countTokens } from '../../src/limits/request-checks.js';
import { limitValidationRules } from '../../src/limits/validation-rules.js';
import { buildSchema } from '../../src/schema.js';

const schema = buildSchema();
const defaults: QueryLimits = loadConfig({}).limits;
const estimate = (query: string, variables?: Record<string, unknown>, maxListLimit = 1000, batchFallback: BatchFallback = 'never') =>
  estimateUpstreamCalls(schema, parse(query), COSTS, {
    maxListLimit,
    variables,
    facts: () => ({ never: false, always: true, maybe: undefined })[batchFallback],
  });

describe('the cost table', () => {
  it('names only fields the schema has, and its detail fields exist', () => {
    for (const key of Object.keys(FIELD_COSTS)) {
      const [typeName, fieldName] = key.split('.');
      const type = schema.getType(typeName);
      expect({ key, exists: isObjectType(type) && fieldName in type.getFields() }).toEqual({ key, exists: true });
    }
    for (const [typeName, fields] of Object.entries<readonly string[]>(DETAIL_FIELDS)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      for (const field of fields) expect({ field, exists: field in type.getFields() }).toEqual({ field, exists: true });
    }
  });

  it('accounts for every root field (a new query or mutation must say what it costs)', () => {
    const roots = [schema.getQueryType()!, schema.getMutationType()!].flatMap((type) =>
      Object.keys(type.getFields()).map((f) => `${type.name}.${f}`),
    );
    expect(roots.filter((key) => !(key in FIELD_COSTS))).toEqual([]);
  });
});

describe('estimated ISC calls', () => {
  it('pages: the first page alone, one item more when no count is asked for', () => {
    expect([
      pageCalls(0, false),
      pageCalls(249, false),
      pageCalls(250, false),
      pageCalls(250, true),
      pageCalls(600, true),
      pageCalls(1000, false),
    ]).toEqual([1, 1, 2, 1, 3, 5]);
  });

  it('weights list fields by their limit (250 when absent) and counts detail fields once per object', () => {
    const cases: [string, number][] = [
      ['{ connectors(limit: 60) { items { name } } }', 1],
      ['{ connectors(limit: 60) { items { applicationXml } } }', 1 + 60],
      ['{ connectors(limit: 60) { items { applicationXml sourceConfigXml fileUpload } totalCount } }', 1 + 60],
      ['{ connectors(limit: 10) { items { applicationXml files { sourceConfig correlationConfig } } } }', 1 + 10 * 3],
      ['{ connectors { items { applicationXml } } }', 2 + 250],
      ['{ connectors(limit: 600) { items { scriptName } totalCount } }', 3],
      ['{ connector(scriptName: "x") { applicationXml files { sourceConfig } } }', 2],
      ['{ sourceApps(limit: 20) { items { accessProfiles(limit: 5) { items { name } } } } }', 1 + 20],
      ['{ allSourceApps(limit: 10) { items { name owner { name } accountSource { passwordPolicies { name } } } totalCount } }', 1],
      ['{ connectorCustomizers(limit: 5) { items { id } } oauthClients { id } oauthClient(id: "a") { id } }', 3],
      ['{ _service { sdl } __schema { types { name } } }', 0],
    ];
    expect(cases.map(([query]) => [query, estimate(query)])).toEqual(cases);
  });

  it('aliases: each keyed lookup counts, but `sourceApp` lookups batch 100 to a call', () => {
    const apps = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: sourceApp(id: "id${i}") { name }`).join(' ');
    expect(estimate(`{ ${apps(3)} }`)).toBe(1);
    expect(estimate(`{ ${apps(100)} }`)).toBe(1);
    expect(estimate(`{ ${apps(101)} }`)).toBe(2);
    expect(estimate('{ a: connector(scriptName: "x") { applicationXml } b: connector(scriptName: "y") { files { sourceTemplate } } }')).toBe(3);
    expect(
      estimate('{ en: connectors(limit: 5, locale: "en") { items { fileUpload } } de: connectors(limit: 5, locale: "de") { items { fileUpload } } }'),
    ).toBe(12);
  });

  it('`sourceApp` lookups of a caller the batched list refuses cost one call per id, and both are counted while unknown', () => {
    const apps = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: sourceApp(id: "id${i}") { name }`).join(' ');
    expect(estimate(`{ ${apps(300)} }`, undefined, 1000, 'never')).toBe(3);
    expect(estimate(`{ ${apps(300)} }`, undefined, 1000, 'always')).toBe(300);
    expect(estimate(`{ ${apps(300)} }`, undefined, 1000, 'maybe')).toBe(303); // the refused batch, then each id
    expect(estimate(`{ ${apps(300)} }`)).toBe(3);
  });

  it("`UserApp.sourceApp`: free for what the user app's reference carries, else batched per list (one call per app when refused)", () => {
    const list = (limit: number, selection: string) => `{ userApps(limit: ${limit}) { totalCount items { id sourceApp ${selection} } } }`;
    // The list is one call (its count asked for); id and name come with each user app.
    expect(estimate(list(250, '{ id name __typename }'))).toBe(1);
    expect(estimate('{ userApps(limit: 250) { totalCount items { sourceApp { ...Ref } } } } fragment Ref on SourceApp { id name }')).toBe(1);
    // Any other field: 250 lookups, batched 100 to a call (3), one per app for a caller refused
    // the batched list (250), and the refused batch plus one per app while that is not known.
    expect(estimate(list(250, '{ description }'), undefined, 1000, 'never')).toBe(1 + 3);
    expect(estimate(list(250, '{ description }'), undefined, 1000, 'always')).toBe(1 + 250);
    expect(estimate(list(250, '{ description }'), undefined, 1000, 'maybe')).toBe(1 + 250 + 3);
    expect(estimate(list(100, '{ enabled }'), undefined, 1000, 'never')).toBe(1 + 1);
    expect(estimate(list(101, '{ enabled }'), undefined, 1000, 'never')).toBe(1 + 2);
    // Skipped fields leave only the reference.
    expect(estimate(list(250, '{ id description @skip(if: true) }'), undefined, 1000, 'always')).toBe(1);
  });

  it('`UserApp.availableAccounts` is one call per user app, and the account choice one call', () => {
    expect(estimate('{ userApps(limit: 3) { items { availableAccounts(limit: 10) { items { id } totalCount } } } }')).toBe(1 + 3);
    expect(estimate('mutation { updateUserAppAccount(id: "a", accountId: "b") { id account { name } } }')).toBe(1);
    expect(estimate('{ allUserApps(filter: { ownerId: "x" }, limit: 600) { items { id } } }')).toBe(pageCalls(600, false));
  });

  it('reads limits from variables, follows fragments and skips what @skip/@include leave out', () => {
    const query = `query($n: Int, $withXml: Boolean!) {
      connectors(limit: $n) { ...Page }
    }
    fragment Page on ConnectorPage { items { ... on Connector { name ...Xml @include(if: $withXml) } } }
    fragment Xml on Connector { applicationXml }`;
    expect(estimate(query, { n: 7, withXml: true })).toBe(8);
    expect(estimate(query, { n: 7, withXml: false })).toBe(1);
    expect(estimate(query, { withXml: true })).toBe(2 + 250);
  });

  it('clamps a limit to the gateway cap (larger ones are refused before any call)', () => {
    expect(estimate('{ connectors(limit: 5000) { items { scriptName } } }', undefined, 300)).toBe(pageCalls(300, false));
    expect(estimate('{ connectors(limit: -4) { items { applicationXml } } }')).toBe(1);
  });

  it('mutations: one call each, plus what their answer selects', () => {
    expect(
      estimate(`mutation {
        a: createConnectorCustomizerVersion(id: "x") { version customizer { name } }
        b: createCustomConnector(input: { name: "n", className: "c" }) { scriptName applicationXml }
        c: updateConnector(scriptName: "s", input: { applicationXml: "<a/>" }) { applicationXml }
        d: updateSourceApp(id: "x", input: { enabled: true }) { accessProfiles(limit: 5) { items { id } } }
      }`),
    ).toBe(2 + 2 + 1 + 2);
  });

  it('federation: one lookup per representation', () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Connector { applicationXml files { sourceConfig } } } }';
    const r = [1, 2, 3].map((i) => ({ __typename: 'Connector', scriptName: `c${i}` }));
    expect(estimate(query, { r })).toBe(3 * 2);
  });

  it('gives up on documents with more fields than it will visit', () => {
    const fields = Array.from({ length: 300 }, (_, i) => `f${i}: name`).join(' ');
    const document = parse(
      `{ connectors(limit: 1) { items { ...F ...F2 } } } fragment F on Connector { ${fields} } fragment F2 on Connector { ${fields} }`,
    );
    expect(() => estimateUpstreamCalls(schema, document, COSTS, { maxListLimit: 1000, maxNodes: 100 })).toThrow(/maximum allowed number of nodes/);
  });
});

describe('validation rules', () => {
  const limits: QueryLimits = { ...defaults, maxDepth: 4, maxAliases: 2, maxRootFields: 3, maxDirectives: 1 };
  const rules = limitValidationRules(limits);
  const check = (query: string) =>
    validate(schema, parse(query), [...specifiedRules, ...rules]).map((e: GraphQLError) => ({ message: e.message, extensions: e.extensions }));

  it('passes an operation within every limit', () => {
    expect(check('{ connectors(limit: 1) { items { name } } oauthClients { id } }')).toEqual([]);
  });

  it.each([
    [
      'depth',
      '{ sourceApps { items { accountSource { passwordPolicies { name } } } } }',
      { message: 'The operation is 5 levels deep; the limit is 4 (SAIL_MAX_DEPTH)', extensions: { limit: 'SAIL_MAX_DEPTH', max: 4, found: 5 } },
    ],
    [
      'aliases',
      '{ a: connectors { totalCount } b: connectors { totalCount } c: connectors { totalCount } }',
      { message: 'The operation has 3 aliases; the limit is 2 (SAIL_MAX_ALIASES)', extensions: { limit: 'SAIL_MAX_ALIASES', max: 2, found: 3 } },
    ],
    [
      'root fields (through fragments)',
      '{ oauthClients { id } ...R } fragment R on Query { connectors { totalCount } sourceApps { totalCount } allSourceApps { totalCount } }',
      {
        message: 'The operation has 4 root fields; the limit is 3 (SAIL_MAX_ROOT_FIELDS)',
        extensions: { limit: 'SAIL_MAX_ROOT_FIELDS', max: 3, found: 4 },
      },
    ],
    [
      'directives',
      '{ oauthClients @skip(if: false) { id @include(if: true) } }',
      {
        message: 'The operation has 2 directives; the limit is 1 (SAIL_MAX_DIRECTIVES)',
        extensions: { limit: 'SAIL_MAX_DIRECTIVES', max: 1, found: 2 },
      },
    ],
  ])('refuses too much %s, naming the limit and its value', (_name, query, error) => {
    expect(check(query)).toEqual([error]);
  });

  it('a fragment bomb (each fragment spreading the next twice) is counted in linear time', () => {
    const levels = 30; // 2^30 root fields if expanded
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { ${i + 1 < levels ? `...F${i + 1} ...F${i + 1}` : 'oauthClients { id }'} }`,
    ).join('\n');
    // The work is counted, not timed: every rule finds a spread's fragment through the context, so
    // the lookups are the spreads the rules followed. Linear means a few per spread (355 for these
    // 60 spreads, all rules together); expanding the bomb would follow 2^30. Past the bound the
    // count stops the run at once.
    const bound = 20 * 2 * levels;
    let lookups = 0;
    const counting =
      (rule: ValidationRule): ValidationRule =>
      (context) =>
        rule(
          new Proxy(context, {
            get(target, property) {
              if (property !== 'getFragment') return Reflect.get(target, property, target);
              return (name: string) => {
                if (++lookups > bound) throw new Error(`more than ${bound} fragment lookups for ${levels} fragments: not linear`);
                return target.getFragment(name);
              };
            },
          }),
        );
    const errors = validate(schema, parse(`{ ...F0 } ${fragments}`), [...specifiedRules, ...rules].map(counting)).map((e: GraphQLError) => ({
      message: e.message,
      extensions: e.extensions,
    }));
    expect(errors).toContainEqual(expect.objectContaining({ extensions: { limit: 'SAIL_MAX_ROOT_FIELDS', max: 3, found: 2 ** (levels - 1) } }));
    expect(lookups).toBeGreaterThan(0);
    expect(lookups).toBeLessThanOrEqual(bound);
    expect(() => estimateUpstreamCalls(schema, parse(`{ ...F0 } ${fragments}`), COSTS, { maxListLimit: 1000, maxNodes: 10_000 })).toThrow(
      /maximum allowed number of nodes/,
    );
  });

  it('refuses a subscription: this graph has none', () => {
    expect(check('subscription { __typename }')).toEqual([{ message: 'This gateway does not support subscription operations', extensions: {} }]);
  });

  it('fragments do not add depth levels', () => {
    expect(check('{ sourceApps { ...P } } fragment P on SourceAppPage { items { ... on SourceApp { accountSource { name } } } }')).toEqual([]);
  });

  it("GraphiQL's introspection query stays within the default limits (tokens, depth, cost)", () => {
    const introspection = getIntrospectionQuery({
      descriptions: true,
      inputValueDeprecation: true,
      schemaDescription: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
    });
    expect(validate(schema, parse(introspection), [...specifiedRules, ...limitValidationRules(defaults)])).toEqual([]);
    expect(countTokens(introspection, defaults.maxTokens)).toBeLessThan(defaults.maxTokens);
    expect(estimate(introspection)).toBe(0);
  });
});

describe('request limits (HTTP layer)', () => {
  const limits: QueryLimits = { ...defaults, maxTokens: 100, maxDocumentBytes: 1024, maxBatchOperations: 1 };
  const none = new URLSearchParams();

  it('counts lexical tokens, stopping past the limit', () => {
    expect(countTokens('{ a b(c: 1) }', 100)).toBe(9); // { a b ( c : 1 ) }
    expect(countTokens('# only a comment\n{ a }', 100)).toBe(3);
    expect(countTokens('{ a b c d e f }', 3)).toBe(4);
    expect(countTokens('{ "unterminated }', 100)).toBeUndefined();
  });

  it('refuses a document above SAIL_MAX_TOKENS or SAIL_MAX_DOCUMENT_BYTES, and passes others', () => {
    const tokens = `{ ${Array.from({ length: 60 }, (_, i) => `a${i}: name`).join(' ')} }`;
    expect(checkRequestLimits({ body: { query: tokens }, searchParams: none }, limits)).toEqual({
      status: 400,
      body: {
        errors: [
          {
            message: 'The GraphQL document has more than 100 tokens (SAIL_MAX_TOKENS)',
            extensions: { code: 'GRAPHQL_PARSE_FAILED', limit: 'SAIL_MAX_TOKENS', max: 100 },
          },
        ],
      },
    });
    const big = `{ oauthClients { id } } # ${'x'.repeat(1100)}`;
    expect(checkRequestLimits({ body: { query: big }, searchParams: none }, limits)?.body.errors[0]).toEqual({
      message: `The GraphQL document is ${big.length} bytes; the limit is 1024 (SAIL_MAX_DOCUMENT_BYTES). Pass large values as variables.`,
      extensions: { code: 'BAD_REQUEST', limit: 'SAIL_MAX_DOCUMENT_BYTES', max: 1024, found: big.length },
    });
    expect(checkRequestLimits({ body: undefined, searchParams: new URLSearchParams({ query: big }) }, limits)?.status).toBe(413);
    expect(checkRequestLimits({ body: { query: '{ oauthClients { id } }' }, searchParams: none }, limits)).toBeUndefined();
  });

  it('refuses batches while batching is off, and batches above SAIL_MAX_BATCH_OPERATIONS when on', () => {
    const op = { query: '{ oauthClients { id } }' };
    expect(checkRequestLimits({ body: [op], searchParams: none }, limits)?.body.errors[0]).toEqual({
      message: 'Batched operations are disabled: send one operation per request (SAIL_MAX_BATCH_OPERATIONS=1)',
      extensions: { code: 'BAD_REQUEST', limit: 'SAIL_MAX_BATCH_OPERATIONS', max: 1, found: 1 },
    });
    const on = { ...limits, maxBatchOperations: 3 };
    expect(checkRequestLimits({ body: [op, op, op], searchParams: none }, on)).toBeUndefined();
    expect(checkRequestLimits({ body: [op, op, op, op], searchParams: none }, on)?.body.errors[0].message).toBe(
      'The batch has 4 operations; the limit is 3 (SAIL_MAX_BATCH_OPERATIONS)',
    );
    expect(checkRequestLimits({ body: [op, { query: `{ a } # ${'x'.repeat(1100)}` }], searchParams: none }, on)?.status).toBe(413);
  });

  it("decides the same for a repeated document (token counts are cached per limits) and per each server's own SAIL_MAX_TOKENS", () => {
    const doc = `{ ${Array.from({ length: 30 }, (_, i) => `a${i}: name`).join(' ')} }`; // 92 tokens
    const tight = { ...limits, maxTokens: 50 };
    const loose = { ...limits, maxTokens: 200 };
    for (let i = 0; i < 3; i++) {
      expect(checkRequestLimits({ body: { query: doc }, searchParams: none }, tight)?.body.errors[0].message).toBe(
        'The GraphQL document has more than 50 tokens (SAIL_MAX_TOKENS)',
      );
      expect(checkRequestLimits({ body: { query: doc }, searchParams: none }, loose)).toBeUndefined();
    }
    // A syntax error is left to Apollo's parser, the first time and from the cache.
    for (let i = 0; i < 2; i++) expect(checkRequestLimits({ body: { query: '{ "unterminated }' }, searchParams: none }, tight)).toBeUndefined();
  });
});
