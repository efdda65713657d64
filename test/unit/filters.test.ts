import { describe, expect, it } from '@jest/globals';
import { allOf, anyOf, checkRawFilter, combineFilters, condition, not } from '../../src/shared/filters.js';
import { connectorFilterExpression } from '../../src/connectors/connectors.filters.js';

const badInput = expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) });

describe('filter builder', () => {
  it.each([
    ['eq', 'name eq "Workday"'],
    ['ne', 'name ne "Workday"'],
    ['gt', 'name gt "Workday"'],
    ['ge', 'name ge "Workday"'],
    ['lt', 'name lt "Workday"'],
    ['le', 'name le "Workday"'],
    ['co', 'name co "Workday"'],
    ['sw', 'name sw "Workday"'],
  ])('%s quotes a string value', (op, text) => {
    expect(condition('name', op as 'eq', 'Workday')).toBe(text);
  });

  it('in and ca take lists', () => {
    expect(condition('id', 'in', ['a', 'b'])).toBe('id in ("a","b")');
    expect(condition('features', 'ca', ['PROVISIONING', 'PASSWORD'])).toBe('features ca ("PROVISIONING","PASSWORD")');
  });

  it('pr and isnull take no value', () => {
    expect(condition('lastUsed', 'pr')).toBe('lastUsed pr');
    expect(condition('lastUsed', 'isnull')).toBe('lastUsed isnull');
  });

  it('instants are unquoted UTC with milliseconds, as ISC writes them', () => {
    expect(condition('created', 'gt', new Date('2024-05-01T14:30:00+02:00'))).toBe('created gt 2024-05-01T12:30:00.000Z');
    expect(() => condition('created', 'gt', new Date(Number.NaN))).toThrow(badInput);
    expect(() => condition('created', 'gt', new Date(Date.UTC(10000, 0, 1)))).toThrow(badInput);
  });

  it('numbers and booleans are unquoted', () => {
    expect(condition('directConnect', 'eq', true)).toBe('directConnect eq true');
    expect(condition('count', 'gt', 5)).toBe('count gt 5');
  });

  it('escapes backslash and double quote, leaves # % & to the URL encoder', () => {
    const expr = condition('name', 'eq', 'a"b\\c#1%&');
    expect(expr).toBe('name eq "a\\"b\\\\c#1%&"');
    // Percent-encoded exactly once on the way, as the facts page shows.
    expect(new URLSearchParams({ filters: condition('name', 'eq', 'a"b\\c#1') }).toString()).toBe(
      'filters=name+eq+%22a%5C%22b%5C%5Cc%231%22',
    );
  });

  it('composes with and / or / not, parenthesising each part', () => {
    expect(allOf(['a eq 1'])).toBe('a eq 1');
    expect(allOf(['a eq 1', 'b eq 2'])).toBe('(a eq 1) and (b eq 2)');
    expect(anyOf(['a eq 1', 'b isnull'])).toBe('(a eq 1) or (b isnull)');
    expect(allOf([])).toBeUndefined();
    expect(not('a eq 1')).toBe('not (a eq 1)');
    expect(combineFilters('a eq 1', 'b eq 2')).toBe('(a eq 1) and (b eq 2)');
    expect(combineFilters(undefined, undefined)).toBeUndefined();
  });

  it.each([
    ['an empty list', () => condition('id', 'in', [])],
    ['control characters', () => condition('name', 'eq', 'a\nb')],
    ['a huge value', () => condition('name', 'eq', 'x'.repeat(2000))],
    ['a non-finite number', () => condition('n', 'gt', Number.NaN)],
    ['an empty raw filter', () => checkRawFilter('   ')],
    ['unbalanced quotes in a raw filter', () => checkRawFilter('name eq "abc')],
    ['unbalanced parentheses in a raw filter', () => checkRawFilter('(name eq "abc"')],
    ['an empty containsAll', () => connectorFilterExpression({ featuresContainAll: [] })],
  ])('rejects %s with BAD_USER_INPUT', (_name, build) => {
    expect(build).toThrow(badInput);
  });

  it('accepts a raw filter with escaped quotes and parentheses inside strings', () => {
    expect(checkRawFilter(' name eq "a\\"(b" ')).toBe('name eq "a\\"(b"');
  });
});

describe('ConnectorFilter', () => {
  it('translates every typed field to the operator ISC supports for it', () => {
    expect(
      connectorFilterExpression({
        nameStartsWith: 'Act',
        nameContains: 'Dir',
        type: 'Active Directory - Direct',
        typeStartsWith: 'Active',
        typeContains: 'Direct',
        directConnect: true,
        category: 'directory',
        featuresContainAll: ['PROVISIONING'],
        labelsContainAll: ['supportsUpgrade'],
      }),
    ).toBe(
      [
        'name sw "Act"',
        'name co "Dir"',
        'type eq "Active Directory - Direct"',
        'type sw "Active"',
        'type co "Direct"',
        'directConnect eq true',
        'category eq "directory"',
        'features ca ("PROVISIONING")',
        'labels ca ("supportsUpgrade")',
      ]
        .map((p) => `(${p})`)
        .join(' and '),
    );
  });

  it('is undefined when empty', () => {
    expect(connectorFilterExpression({})).toBeUndefined();
    expect(connectorFilterExpression(null)).toBeUndefined();
  });
});
