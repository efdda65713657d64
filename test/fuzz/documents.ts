import { getIntrospectionQuery } from 'graphql';
import { ALLOW, deepJson, QUIET, REFUSE, type CaseSink } from './cases.js';
import { HOSTILE_QUERY } from './hostile.js';
import type { OperationGenerator } from './operations.js';
import { render } from './render.js';
import type { Rng } from './rng.js';

/** Document-level garbage: syntax soup, truncation, depth, fragment cycles, alias floods, odd operations and variables. */
export function documentCases(sink: CaseSink, rng: Rng, { rootFields, validOperation }: OperationGenerator, maxBodyBytes: number): void {
  const { addGraphql } = sink;
  // ----- 4. documents ---------------------------------------------------------------------------

  const TOKENS = [
    '{',
    '}',
    '(',
    ')',
    ':',
    '$',
    '!',
    '@',
    '...',
    '=',
    '[',
    ']',
    '|',
    '&',
    'name',
    'id',
    'x',
    '"str"',
    '1',
    '1.5',
    'query',
    'mutation',
    'fragment',
    'on',
    'true',
    'null',
    '#c\n',
    '"""b"""',
  ];
  for (let i = 0; i < 60; i++) {
    const soup = Array.from({ length: rng.int(1, 60) }, () => rng.pick(TOKENS)).join(rng.chance(0.5) ? ' ' : '');
    addGraphql('document:syntax', 'token soup', REFUSE, soup);
  }
  for (let i = 0; i < 60; i++) {
    const ref = rng.pick(rootFields);
    const { query } = render(validOperation(ref), 'inline');
    addGraphql('document:truncated', `${ref.field.name} cut short`, REFUSE, query.slice(0, rng.int(1, query.length - 1)));
  }
  for (let i = 0; i < 40; i++) {
    const ref = rng.pick(rootFields.filter((r) => r.operation === 'query'));
    const chars = [...render(validOperation(ref), 'inline').query];
    for (let n = rng.int(1, 3); n > 0; n--) chars[rng.int(0, chars.length - 1)] = String.fromCharCode(rng.int(32, 126));
    addGraphql('document:mutated', `${ref.field.name} with flipped characters`, ALLOW, chars.join(''));
  }
  // Depths up to what fits in the body limit: past a few thousand levels the parser runs out of stack.
  for (const depth of [64, 1_000, 10_000, 100_000, 300_000]) {
    addGraphql('document:deep', `selections ${depth} deep`, REFUSE, `{${'a{'.repeat(depth)}b${'}'.repeat(depth + 1)}`);
    addGraphql(
      'document:deep',
      `list literal ${depth} deep`,
      REFUSE,
      `{ connectors(limit: ${'['.repeat(depth)}1${']'.repeat(depth)}) { totalCount } }`,
    );
    addGraphql(
      'document:deep',
      `object literal ${depth} deep`,
      REFUSE,
      `{ connectors(filter: ${'{a:'.repeat(depth)}1${'}'.repeat(depth)}) { totalCount } }`,
    );
  }
  for (const depth of [64, 1_000, 10_000, 50_000]) {
    addGraphql('document:deep', `inline fragments ${depth} deep`, QUIET, `{ ${'...on Query{'.repeat(depth)}__typename${'}'.repeat(depth)} }`);
  }
  addGraphql(
    'document:deep',
    'introspection 4 levels deep',
    QUIET,
    '{ __schema { types { name fields { name type { name fields { name type { name } } } } } } }',
  );
  addGraphql('document:deep', 'variables 100,000 levels deep', QUIET, 'query Fuzz($v: JSON) { __typename }', `{"v":${deepJson(100_000, 'array')}}`);
  addGraphql(
    'document:deep',
    'a variable list of 100,000 items',
    QUIET,
    'query Fuzz($v: [Int]) { __typename }',
    `{"v":[${Array.from({ length: 100_000 }, () => '1').join(',')}]}`,
  );

  const cycles = [
    'fragment A on Query { ...A }',
    'fragment A on Query { ...B } fragment B on Query { ...A }',
    Array.from({ length: 10 }, (_, i) => `fragment F${i} on Query { __typename ...F${(i + 1) % 10} }`).join(' '),
    'fragment A on Query { ... on Query { ...A } }',
    'fragment A on Query { connector(scriptName: "..") { name } ...A }',
  ];
  for (const [i, fragments] of cycles.entries()) {
    const first = /fragment (\w+)/.exec(fragments)![1];
    addGraphql('document:fragment-cycle', `cycle ${i}`, REFUSE, `{ ...${first} } ${fragments}`);
  }
  addGraphql('document:fragments', 'an undefined fragment', REFUSE, '{ ...Missing }');
  addGraphql('document:fragments', 'an unused fragment', REFUSE, '{ __typename } fragment U on Query { __typename }');
  addGraphql(
    'document:fragments',
    'a fragment defined twice',
    REFUSE,
    '{ ...A } fragment A on Query { __typename } fragment A on Query { __typename }',
  );
  addGraphql('document:fragments', 'a fragment on an unknown type', REFUSE, '{ ...A } fragment A on Nope { __typename }');
  addGraphql('document:fragments', 'a fragment on a scalar', REFUSE, '{ ...A } fragment A on String { __typename }');
  {
    let bomb = '{ ...F0 }';
    for (let i = 0; i < 30; i++) bomb += ` fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`;
    addGraphql('document:fragments', 'fragment bomb (2^30 spreads)', QUIET, `${bomb} fragment F30 on Query { __typename }`);
    let chain = '{ ...F0 }';
    for (let i = 0; i < 300; i++) chain += ` fragment F${i} on Query { __typename ...F${i + 1} }`;
    addGraphql('document:fragments', 'a chain of 300 fragments', QUIET, `${chain} fragment F300 on Query { __typename }`);
  }

  const aliases = (count: number, body: string) => `{ ${Array.from({ length: count }, (_, i) => `a${i}: ${body}`).join(' ')} }`;
  addGraphql('document:aliases', '2,000 aliases of __typename', QUIET, aliases(2_000, '__typename'));
  addGraphql('document:aliases', '20,000 aliases of __typename', QUIET, aliases(20_000, '__typename'));
  addGraphql('document:aliases', '300 aliases of a traversal id', REFUSE, aliases(300, 'connector(scriptName: "..") { name }'));
  addGraphql('document:aliases', '300 aliases of a bad locale', REFUSE, aliases(300, 'connectors(locale: "xx") { totalCount }'));
  addGraphql('document:aliases', '200 aliases of a negative limit', REFUSE, aliases(200, 'sourceApps(limit: -1) { totalCount }'));
  addGraphql('document:aliases', '100 aliases of a bad delete', REFUSE, `mutation ${aliases(100, 'deleteSourceApp(id: "%2e%2e") { id }')}`);
  addGraphql(
    'document:aliases',
    '100 aliases of a bad patch',
    REFUSE,
    `mutation ${aliases(100, 'updateOAuthClient(id: "x", patch: [{op: replace, path: "/../x", value: 1}]) { id }')}`,
  );
  addGraphql('document:aliases', '50 aliases of one list', ALLOW, aliases(50, 'connectors(limit: 1) { items { name } }'));
  addGraphql('document:aliases', '1,000 identical fields', QUIET, `{ ${Array.from({ length: 1_000 }, () => '__typename').join(' ')} }`);

  addGraphql('document:directives', '1,000 @include', REFUSE, `{ __typename ${'@include(if: true) '.repeat(1_000)}}`);
  addGraphql('document:directives', 'a directive on the operation', REFUSE, 'query @skip(if: true) { __typename }');
  addGraphql('document:directives', 'a skipped hostile field', QUIET, '{ connector(scriptName: "..") @skip(if: true) { name } __typename }');

  const many = Array.from({ length: 500 }, (_, i) => `query Q${i} { __typename }`).join(' ');
  addGraphql('document:operations', '500 operations, one named', QUIET, many, undefined, { operationName: 'Q250' });
  addGraphql('document:operations', '500 operations, none named', REFUSE, many);
  addGraphql('document:operations', 'operationName not in the document', REFUSE, HOSTILE_QUERY, undefined, { operationName: 'Nope' });
  addGraphql('document:operations', 'operationName hostile', REFUSE, 'query A { __typename } query B { __typename }', undefined, {
    operationName: '../A\r\n',
  });
  addGraphql('document:operations', 'two anonymous operations', REFUSE, '{ __typename } { __typename }');
  addGraphql('document:operations', 'an operation named twice', REFUSE, 'query A { __typename } query A { __typename }');
  addGraphql('document:operations', 'subscription', REFUSE, 'subscription { __typename }');
  addGraphql('document:operations', 'subscription with a field', REFUSE, 'subscription { connectors { totalCount } }');
  addGraphql('document:operations', 'mutation __typename', QUIET, 'mutation { __typename }');
  addGraphql('document:operations', 'empty query', REFUSE, '');
  addGraphql('document:operations', 'whitespace query', REFUSE, ' \n\t ');
  addGraphql('document:operations', 'empty selection', REFUSE, '{}');
  addGraphql('document:operations', 'just a keyword', REFUSE, 'query');
  addGraphql('document:operations', 'a byte order mark first', QUIET, '\ufeff{ __typename }');
  addGraphql('document:operations', 'a comment flood', QUIET, `${'# fuzz comment\n'.repeat(20_000)}{ __typename }`);
  addGraphql('document:variables', 'a variable undefined', REFUSE, '{ connector(scriptName: $nope) { name } }');
  addGraphql('document:variables', 'a variable unused', REFUSE, 'query Fuzz($a: Int) { __typename }');
  addGraphql('document:variables', 'a variable defined twice', REFUSE, 'query Fuzz($a: Int, $a: Int) { __typename }');
  addGraphql('document:variables', 'a variable of an output type', REFUSE, 'query Fuzz($a: Connector) { __typename }');
  addGraphql('document:variables', 'a default of the wrong type', REFUSE, 'query Fuzz($a: Int = "x") { connectors(limit: $a) { totalCount } }');
  addGraphql(
    'document:variables',
    'variables not matching any definition',
    QUIET,
    '{ __typename }',
    '{"a":1,"__proto__":{"x":1},"constructor":{"prototype":{"y":1}}}',
  );

  const huge = maxBodyBytes - 4_096;
  addGraphql(
    'document:huge-string',
    'raw filters just under the body limit',
    REFUSE,
    `{ connectors(filters: "${'f'.repeat(huge)}") { totalCount } }`,
  );
  addGraphql('document:huge-string', 'scriptName just under the body limit', REFUSE, `{ connector(scriptName: "${'s'.repeat(huge)}") { name } }`);
  addGraphql('document:huge-string', 'locale just under the body limit', REFUSE, `{ connectors(locale: "${'l'.repeat(huge)}") { totalCount } }`);
  addGraphql('document:huge-string', 'an unknown field name just under the body limit', REFUSE, `{ ${'n'.repeat(huge)} }`);
  addGraphql('document:escapes', 'a dot segment as unicode escapes', REFUSE, '{ connector(scriptName: "\\u002e\\u002e") { name } }');
  addGraphql('document:escapes', 'a dot segment as a block string', REFUSE, '{ connector(scriptName: """..""") { name } }');
  addGraphql('document:escapes', 'a NUL escape', REFUSE, '{ connector(scriptName: "a\\u0000") { name } }');
  addGraphql('document:escapes', 'a lone surrogate escape', REFUSE, '{ connector(scriptName: "\\ud800") { name } }');
  addGraphql('document:escapes', 'a huge integer', REFUSE, '{ connectors(limit: 99999999999999999999999) { totalCount } }');
  addGraphql('document:escapes', 'an exponent for an Int', REFUSE, '{ connectors(limit: 1e3) { totalCount } }');
  addGraphql('document:introspection', 'the full introspection query', QUIET, getIntrospectionQuery());
  addGraphql('document:introspection', '__type with a hostile name', QUIET, '{ __type(name: "../Query") { name } }');
}
