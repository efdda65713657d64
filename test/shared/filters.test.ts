import { describe, expect, it } from '@jest/globals';
import {
  allOf,
  anyOf,
  checkRawFilter,
  checkRawFilterFields,
  checkRawSorters,
  combineFilters,
  condition,
  not,
  rawFilterTerms,
} from '../../src/shared/filters.js';
import { connectorFilterExpression } from '../../src/connectors/connectors.filters.js';
import { badInput } from '../support/errors.js';

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
    expect(new URLSearchParams({ filters: condition('name', 'eq', 'a"b\\c#1') }).toString()).toBe('filters=name+eq+%22a%5C%22b%5C%5Cc%231%22');
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

describe('raw filters: fields and operators', () => {
  const fieldsOf = (expr: string): string[] => rawFilterTerms(expr).map((t) => `${t.field} ${t.operator}`);
  const APP_FIELDS = ['id', 'name', 'created', 'modified', 'accountSource.id'];

  it.each([
    ['one condition', 'name eq "Slack"', ['name eq']],
    ['a quoted string holding and / or / not and an operator', 'name eq "a and b or not c eq d"', ['name eq']],
    ['field-like words inside quotes', 'name co "owner.id eq \\"x\\" and enabled"', ['name co']],
    ['escaped quotes and a backslash before the closing quote', 'name eq "say \\"hi\\"" and id eq "c:\\\\"', ['name eq', 'id eq']],
    ['parentheses inside a string', 'name sw "(draft" or name co ")"', ['name sw', 'name co']],
    [
      'nested parentheses, not, or',
      '(id in ("a","b") or (not (name co "x"))) and created gt 2024-01-01T00:00:00Z',
      ['id in', 'name co', 'created gt'],
    ],
    ['a prefix not without parentheses', 'not name sw "test"', ['name sw']],
    [
      'dotted fields, unquoted values and unary operators',
      'accountSource.id eq "s1" and enabled eq true and lastUsed isnull and x pr',
      ['accountSource.id eq', 'enabled eq', 'lastUsed isnull', 'x pr'],
    ],
    ['a list with spaces', 'id in ( "a" , "b" )', ['id in']],
  ])('reads %s', (_label, expr, expected) => {
    expect(fieldsOf(expr)).toEqual(expected);
  });

  it.each([
    ['an unknown operator', 'name equals "x"'],
    ['an upper-case operator', 'name EQ "x"'],
    ['a field with no operator', 'name "x"'],
    ['an operator with no value', 'name eq'],
    ['an operator where a field belongs', 'eq "x"'],
    ['a quoted field name', '"name" eq "x"'],
    ['two conditions with no and / or', 'name eq "x" id eq "y"'],
    ['a dangling and', 'name eq "x" and'],
    ['an unknown composite', 'name eq "x" AND id eq "y"'],
    ['an empty list', 'id in ()'],
    ['a list without parentheses', 'id in "a"'],
    ['a keyword as a value', 'name eq and'],
    ['an unclosed string', 'name eq "x'],
    ['a stray closing parenthesis', 'name eq "x")'],
  ])('refuses %s', (_label, expr) => {
    expect(() => rawFilterTerms(expr)).toThrow(badInput);
  });

  it("checkRawFilterFields accepts only the endpoint's fields and answers the trimmed expression", () => {
    expect(checkRawFilterFields('  name co "owner.id eq 1" and (accountSource.id in ("s1")) ', APP_FIELDS)).toBe(
      'name co "owner.id eq 1" and (accountSource.id in ("s1"))',
    );
    expect(checkRawFilterFields(undefined, APP_FIELDS)).toBeUndefined();
    expect(checkRawFilterFields(null, APP_FIELDS)).toBeUndefined();
  });

  it.each([
    ['a field the endpoint does not filter on', 'owner.id eq "i1"'],
    ['an unsupported field behind a supported one', 'name eq "x" or (not enabled eq true)'],
    ['a field differing only in case', 'Name eq "x"'],
    ['unbalanced parentheses', '(name eq "x"'],
    ['unbalanced quotes', 'name eq "x'],
    ['an empty expression', '  '],
    ['an unknown operator', 'name like "x"'],
  ])('checkRawFilterFields refuses %s', (_label, expr) => {
    expect(() => checkRawFilterFields(expr, APP_FIELDS)).toThrow(badInput);
  });
});

describe('raw sorters', () => {
  const SORTABLE = ['id', 'name', 'created', 'modified', 'accountSource.id'];

  it('accepts fields of the endpoint with an optional -, answered without spaces', () => {
    expect(checkRawSorters('name', SORTABLE)).toBe('name');
    expect(checkRawSorters(' -created , name,accountSource.id ', SORTABLE)).toBe('-created,name,accountSource.id');
    expect(checkRawSorters(undefined, SORTABLE)).toBeUndefined();
    expect(checkRawSorters(null, SORTABLE)).toBeUndefined();
  });

  it.each([
    ['an empty value', ''],
    ['only spaces', '  '],
    ['an empty item', 'name,,created'],
    ['a trailing comma', 'name,'],
    ['a field the endpoint does not sort by', 'owner.id'],
    ['a + prefix', '+name'],
    ['a double -', '--name'],
    ['a space after -', '- name'],
    ['the same field twice', 'name,created,name'],
    ['the same field in both directions', 'name,-name'],
  ])('refuses %s', (_label, raw) => {
    expect(() => checkRawSorters(raw, SORTABLE)).toThrow(badInput);
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
