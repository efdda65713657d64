import {
  getDirectiveValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  type GraphQLResolveInfo,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Whether `@skip`/`@include` leave a selection in, as execution decides it. */
function included(selection: SelectionNode, variables: GraphQLResolveInfo['variableValues']): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false;
}

/**
 * Whether the current field's selection (through fragments, as `@skip`/`@include` leave it) names
 * only fields of `names` (`__typename` always counts as one of them): then what the parent brought
 * can answer it. The cost estimate reads selections the same way, so it stays an upper bound.
 */
export function selectsOnly(info: GraphQLResolveInfo, names: readonly string[]): boolean {
  const allowed = new Set([...names, '__typename']);
  const only = (set: SelectionSetNode | undefined): boolean =>
    !set ||
    set.selections.every((selection) => {
      if (!included(selection, info.variableValues)) return true;
      if (selection.kind === Kind.FIELD) return allowed.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return only(selection.selectionSet);
      return only(info.fragments[selection.name.value]?.selectionSet);
    });
  return info.fieldNodes.every((node) => only(node.selectionSet));
}
