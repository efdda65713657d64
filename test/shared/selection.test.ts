import { describe, expect, it } from '@jest/globals';
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import { fieldsOf, type SelectionReader } from '../../src/shared/selection.js';

/** The first field's selection set of `document`, read with its fragments and `skip` for the directives. */
function read(document: string, skipped: (selection: SelectionNode) => boolean = () => false) {
  const ast = parse(document, { noLocation: true });
  const operation = ast.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(
    ast.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d.selectionSet]),
  );
  const first = operation.selectionSet.selections[0];
  const reader: SelectionReader = { fragment: (name) => fragments.get(name), included: (s) => !skipped(s) };
  return fieldsOf(first.kind === Kind.FIELD ? first.selectionSet : undefined, reader);
}

const names = (set: ReturnType<typeof read>): string[] => {
  const seen: string[] = [];
  set.every((field) => seen.push(field.name.value) > 0);
  return seen;
};

describe('fieldsOf', () => {
  it('reads fields through inline and named fragments', () => {
    const set = read('{ a { id ... on X { name } ...F } } fragment F on X { description }');
    expect(names(set)).toEqual(['id', 'name', 'description']);
    expect(set.some((f) => f.name.value === 'description')).toBe(true);
    expect(set.every((f) => ['id', 'name'].includes(f.name.value))).toBe(false);
  });

  it('leaves out what the reader says is not included', () => {
    const set = read('{ a { id description @skip(if: true) } }', (s) => s.kind === Kind.FIELD && s.name.value === 'description');
    expect(names(set)).toEqual(['id']);
    expect(set.some((f) => f.name.value === 'description')).toBe(false);
  });

  it('visits a named fragment once, so a cycle (refused by validation anyway) cannot recurse forever', () => {
    const set = read('{ a { ...F } } fragment F on X { id ...G } fragment G on X { name ...F }');
    expect(names(set)).toEqual(['id', 'name']);
    expect(set.some((f) => f.name.value === 'missing')).toBe(false);
  });

  it('an empty or absent selection: every holds, some does not', () => {
    const set = read('{ a }');
    expect(set.every(() => false)).toBe(true);
    expect(set.some(() => true)).toBe(false);
  });
});
