import { describe, expect, it } from '@jest/globals';
import { arrayOf, buildPatch, checkRawPatch, isNonEmptyString, isString, patchFromInput, type PatchSchema } from '../../src/shared/json-patch.js';
import { connectorPatch } from '../../src/connectors/connectors.patch.js';
import { badInput } from '../support/errors.js';

const schema: PatchSchema = {
  name: { check: isNonEmptyString, removable: false },
  description: { check: isString, removable: true },
  redirectUris: { check: arrayOf(isString), removable: true, element: isString },
};

describe('typed input → JSON Patch', () => {
  it('omitted sends nothing, a value replaces, null removes', () => {
    expect(patchFromInput(schema, { description: null, name: 'New', redirectUris: undefined })).toEqual([
      { op: 'replace', path: '/name', value: 'New' },
      { op: 'remove', path: '/description' },
    ]);
  });

  it('refuses null for a field ISC will not remove, and wrong value types', () => {
    expect(() => patchFromInput(schema, { name: null })).toThrow(badInput);
    expect(() => patchFromInput(schema, { name: '  ' })).toThrow(badInput);
    expect(() => patchFromInput(schema, { redirectUris: ['ok', 3] })).toThrow(badInput);
  });

  it('an update that changes nothing is refused', () => {
    expect(() => buildPatch(schema, {}, [])).toThrow(badInput);
    expect(() => buildPatch(schema, { name: undefined }, null)).toThrow(badInput);
  });

  it('connector updates become replace/remove ops over the four patchable fields', () => {
    expect(connectorPatch({ applicationXml: '<a/>', connectorMetadata: null }, null)).toEqual([
      { op: 'remove', path: '/connectorMetadata' },
      { op: 'replace', path: '/applicationXml', value: '<a/>' },
    ]);
    expect(() => connectorPatch({ name: 'not patchable' }, null)).toThrow(badInput);
    expect(() => connectorPatch({ connectorMetadata: 'not an object' }, null)).toThrow(badInput);
  });
});

describe('raw JSON Patch validation', () => {
  it('accepts valid ops, including array element paths', () => {
    const ops = [
      { op: 'replace', path: '/name', value: 'x' },
      { op: 'add', path: '/redirectUris/-', value: 'https://a' },
      { op: 'remove', path: '/redirectUris/0' },
      { op: 'test', path: '/description', value: 'old' },
    ];
    expect(checkRawPatch(schema, ops)).toEqual([
      { op: 'replace', path: '/name', value: 'x' },
      { op: 'add', path: '/redirectUris/-', value: 'https://a' },
      { op: 'remove', path: '/redirectUris/0' },
      { op: 'test', path: '/description', value: 'old' },
    ]);
  });

  it.each([
    ['move (not expressible upstream)', { op: 'move', path: '/name', value: 'x' }],
    ['an unknown field', { op: 'replace', path: '/id', value: 'x' }],
    ['a nested path on a non-array field', { op: 'replace', path: '/name/0', value: 'x' }],
    ['a path without a slash', { op: 'replace', path: 'name', value: 'x' }],
    ['a deep pointer', { op: 'replace', path: '/redirectUris/0/x', value: 'x' }],
    ['"-" with replace', { op: 'replace', path: '/redirectUris/-', value: 'x' }],
    ['replace without a value', { op: 'replace', path: '/description' }],
    ['remove with a value', { op: 'remove', path: '/description', value: 'x' }],
    ['removing a required field', { op: 'remove', path: '/name' }],
    ['a value of the wrong type', { op: 'replace', path: '/name', value: 42 }],
    ['an element of the wrong type', { op: 'add', path: '/redirectUris/-', value: { a: 1 } }],
  ])('rejects %s', (_name, op) => {
    expect(() => checkRawPatch(schema, [op])).toThrow(badInput);
  });
});
