import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../../src/demo-tenant/errors.js';
import {
  FilterError,
  collectionPage,
  compileFilter,
  compileSorters,
  evaluateFilter,
  parseFilter,
  type AllowedFilters,
} from '../../src/demo-tenant/filters.js';

const items = [
  { id: 'a1', name: 'Alpha Tools', count: 3, enabled: true, created: '2024-01-10T08:00:00Z', owner: { id: 'o1' }, tags: ['x', 'y'], lastUsed: null },
  {
    id: 'b2',
    name: 'beta "quoted" \\ path',
    count: 10,
    enabled: false,
    created: '2024-03-01T00:00:00.000Z',
    owner: { id: 'o2' },
    tags: ['y'],
    lastUsed: '2024-05-01T00:00:00Z',
  },
  { id: 'c3', name: 'Gamma #1 & 100%', count: 7, enabled: true, created: '2023-12-31T23:59:59Z', owner: null, tags: [] },
];

const ALL_OPS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le', 'co', 'sw', 'in', 'ca', 'pr', 'isnull'] as const;
const OPEN: AllowedFilters = Object.fromEntries(
  ['id', 'name', 'count', 'enabled', 'created', 'owner.id', 'tags', 'lastUsed', 'owner'].map((f) => [f, ALL_OPS]),
);

const ids = (filter: string): string[] => items.filter(compileFilter(filter, OPEN)).map((i) => i.id);

describe('parseFilter', () => {
  it('builds a tree with and binding tighter than or', () => {
    expect(parseFilter('id eq "a" or id eq "b" and not count gt 3')).toEqual({
      type: 'or',
      nodes: [
        { type: 'cmp', field: 'id', op: 'eq', values: ['a'] },
        {
          type: 'and',
          nodes: [
            { type: 'cmp', field: 'id', op: 'eq', values: ['b'] },
            { type: 'not', node: { type: 'cmp', field: 'count', op: 'gt', values: [3] } },
          ],
        },
      ],
    });
  });

  it('reads escapes, numbers, booleans, datetimes, lists and dotted fields', () => {
    expect(parseFilter('name eq "a\\"b\\\\c#1"')).toEqual({ type: 'cmp', field: 'name', op: 'eq', values: ['a"b\\c#1'] });
    expect(parseFilter('count ge -2.5')).toMatchObject({ values: [-2.5] });
    expect(parseFilter('enabled eq false')).toMatchObject({ values: [false] });
    expect(parseFilter('lastUsed le 2023-02-05T10:59:27.214Z')).toMatchObject({ values: ['2023-02-05T10:59:27.214Z'] });
    expect(parseFilter('id in ("a", "b",1)')).toMatchObject({ op: 'in', values: ['a', 'b', 1] });
    expect(parseFilter('owner.id pr')).toEqual({ type: 'cmp', field: 'owner.id', op: 'pr', values: [] });
  });

  it.each([
    ['', /empty/],
    ['name eq', /expected a value/],
    ['name "x"', /expected an operator/],
    ['name EQ "x"', /expected an operator/],
    ['name eq "x', /unterminated/],
    ['name eq "a\\nb"', /unsupported escape/],
    ['name eq "x" and', /expected a field name/],
    ['(name eq "x"', /expected "\)"/],
    ['name eq "x")', /expected "and", "or"/],
    ['id in "a"', /parenthesised list/],
    ['id in ()', /expected a value/],
    ['id in ("a" "b")', /"," or "\)"/],
    ['name eq x', /expected a value/],
    ['name eq "x" xor id eq "y"', /expected "and", "or"/],
    ['na$me eq "x"', /unexpected "na\$me"/],
  ])('rejects %j', (text, message) => {
    expect(() => parseFilter(text)).toThrow(FilterError);
    expect(() => parseFilter(text)).toThrow(message);
  });

  it('reports syntax errors as 400 ApiErrors', () => {
    try {
      parseFilter('name eq');
      throw new Error('not thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(400);
    }
  });
});

describe('evaluateFilter', () => {
  it('eq / ne: strings case-insensitively, booleans also against quoted "true"/"false"', () => {
    expect(ids('name eq "ALPHA tools"')).toEqual(['a1']);
    expect(ids('name eq "beta \\"quoted\\" \\\\ path"')).toEqual(['b2']);
    expect(ids('name eq "Gamma #1 & 100%"')).toEqual(['c3']);
    expect(ids('enabled eq true')).toEqual(['a1', 'c3']);
    expect(ids('enabled eq "false"')).toEqual(['b2']);
    expect(ids('count eq 10')).toEqual(['b2']);
    expect(ids('id ne "a1"')).toEqual(['b2', 'c3']);
  });

  it('gt / ge / lt / le on numbers and datetimes', () => {
    expect(ids('count gt 7')).toEqual(['b2']);
    expect(ids('count ge 7')).toEqual(['b2', 'c3']);
    expect(ids('count lt 7')).toEqual(['a1']);
    expect(ids('count le 7')).toEqual(['a1', 'c3']);
    expect(ids('created gt 2024-01-01T00:00:00Z')).toEqual(['a1', 'b2']);
    expect(ids('created le "2024-03-01T00:00:00Z"')).toEqual(['a1', 'b2', 'c3']);
    expect(ids('created lt 2024-01-01')).toEqual(['c3']);
  });

  it('co / sw case-insensitively', () => {
    expect(ids('name co "TOOL"')).toEqual(['a1']);
    expect(ids('name co "#1 & 100%"')).toEqual(['c3']);
    expect(ids('name sw "be"')).toEqual(['b2']);
    expect(ids('name sw "tools"')).toEqual([]);
  });

  it('in / ca / pr / isnull', () => {
    expect(ids('id in ("a1","C3")')).toEqual(['a1', 'c3']);
    expect(ids('tags ca ("y")')).toEqual(['a1', 'b2']);
    expect(ids('tags ca ("x","y")')).toEqual(['a1']);
    expect(ids('owner.id pr')).toEqual(['a1', 'b2']);
    expect(ids('owner isnull')).toEqual(['c3']);
    expect(ids('lastUsed isnull')).toEqual(['a1', 'c3']);
    expect(ids('owner.id eq "o2"')).toEqual(['b2']);
  });

  it('and / or / not with parentheses', () => {
    expect(ids('(id eq "a1" or id eq "b2") and enabled eq true')).toEqual(['a1']);
    expect(ids('id eq "a1" or id eq "b2" and enabled eq true')).toEqual(['a1']);
    expect(ids('not (enabled eq true)')).toEqual(['b2']);
    expect(ids('not enabled eq true and count gt 1')).toEqual(['b2']);
  });

  it('evaluates a parsed tree directly', () => {
    expect(evaluateFilter(parseFilter('count gt 5'), items[1])).toBe(true);
  });
});

describe('compileFilter', () => {
  const allowed: AllowedFilters = { name: ['sw', 'co'], directConnect: ['eq'] };

  it('rejects fields the endpoint does not allow', () => {
    expect(() => compileFilter('id eq "x"', allowed)).toThrow('Filtering is not supported for field "id" (supported fields: name, directConnect)');
  });

  it('rejects operators the endpoint does not allow for a field, also inside composites', () => {
    expect(() => compileFilter('directConnect eq true and not name eq "x"', allowed)).toThrow(
      'Operator "eq" is not supported for field "name" (supported: sw, co)',
    );
  });

  it('does not treat inherited object keys as fields', () => {
    expect(() => compileFilter('constructor eq "x"', allowed)).toThrow(FilterError);
  });
});

describe('sorters and paging', () => {
  it('sorts by several keys, - for descending', () => {
    const sorted = [...items].sort(compileSorters('enabled,-count', ['enabled', 'count']));
    expect(sorted.map((i) => i.id)).toEqual(['b2', 'c3', 'a1']);
    expect(() => compileSorters('nope', ['name'])).toThrow('Sorting is not supported for "nope"');
  });

  it('filters, then pages, and counts before paging', () => {
    const page = collectionPage(items, { filters: 'enabled eq true', limit: '1', offset: '1', count: 'true' }, { filters: OPEN });
    expect(page.items.map((i) => i.id)).toEqual(['c3']);
    expect(page.total).toBe(2);
    expect(page.headers).toEqual({ 'X-Total-Count': '2' });
    expect(collectionPage(items, {}).headers).toEqual({});
  });

  it.each<Record<string, string>>([{ limit: '251' }, { limit: '-1' }, { limit: 'ten' }, { offset: '-5' }, { count: 'yes' }])(
    'rejects %j',
    (query) => {
      expect(() => collectionPage(items, query)).toThrow(ApiError);
    },
  );
});
