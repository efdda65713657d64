import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the current field's selection (through fragments) names only fields of `names`
 * (`__typename` always counts as one of them): then what the parent brought can answer it.
 */
export function selectsOnly(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const allowed = new Set([...names, '__typename']);
  const only = (set: SelectionSetNode | undefined): boolean =>
    !set ||
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return allowed.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return only(selection.selectionSet);
      return only(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.every((node) => only(node.selectionSet));
}
