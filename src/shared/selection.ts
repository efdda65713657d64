import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** How to read a document's selections: its fragments by name, and what `@skip`/`@include` leave in. */
export interface SelectionReader {
  fragment(name: string): SelectionSetNode | undefined;
  included(selection: SelectionNode): boolean;
}

/**
 * The fields a selection set selects, through inline and named fragments (each named one visited
 * once), leaving out what `@skip`/`@include` leave out: `some` or `every` of them pass `test`.
 */
export function fieldsOf(
  set: SelectionSetNode | undefined,
  reader: SelectionReader,
): { some(test: (field: FieldNode) => boolean): boolean; every(test: (field: FieldNode) => boolean): boolean } {
  const walk = (mode: 'some' | 'every', test: (field: FieldNode) => boolean) => {
    const seen = new Set<string>();
    const visit = (current: SelectionSetNode | undefined): boolean => {
      if (!current) return mode === 'every';
      return current.selections[mode]((selection) => {
        if (!reader.included(selection)) return mode === 'every';
        if (selection.kind === Kind.FIELD) return test(selection);
        if (selection.kind === Kind.INLINE_FRAGMENT) return visit(selection.selectionSet);
        if (seen.has(selection.name.value)) return mode === 'every';
        seen.add(selection.name.value);
        return visit(reader.fragment(selection.name.value));
      });
    };
    return visit(set);
  };
  return { some: (test) => walk('some', test), every: (test) => walk('every', test) };
}

/** A resolver's view of its own selection, as execution reads it. */
function resolverReader(info: GraphQLResolveInfo): SelectionReader {
  return {
    fragment: (name) => info.fragments[name]?.selectionSet,
    included: (selection) =>
      getDirectiveValues(GraphQLSkipDirective, selection, info.variableValues)?.if !== true &&
      getDirectiveValues(GraphQLIncludeDirective, selection, info.variableValues)?.if !== false,
  };
}

/**
 * Whether the current field's selection names only fields of `names` (`__typename` always counts
 * as one of them): then what the parent brought can answer it. The cost estimate reads selections
 * the same way (`fieldsOf`), so it stays an upper bound.
 */
export function selectsOnly(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const reader = resolverReader(info);
  return info.fieldNodes.every((node) =>
    fieldsOf(node.selectionSet, reader).every((field) => field.name.value === '__typename' || names.includes(field.name.value)),
  );
}
