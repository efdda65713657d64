import { ApolloArmor } from '@escape.tech/graphql-armor';
import { Kind, type ASTVisitor, type GraphQLError, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { uncodedError } from '../shared/errors.js';
import { limitExtensions, type LimitName, type QueryLimits } from './query-limits.js';

/** Validation rules: depth, aliases, directives (GraphQL Armor) and root fields. */

const ARMOR_FOUND = /found (\d+)/;

/** Armor's rules report through this, so the error names the variable and carries the numbers. */
function armorRejection(limit: LimitName, max: number, describe: (found: number | undefined) => string) {
  return (context: ValidationContext | null, error: GraphQLError): void => {
    const match = ARMOR_FOUND.exec(error.message);
    const found = match ? Number(match[1]) : undefined;
    context?.reportError(uncodedError(`${describe(found)}; the limit is ${max} (${limit})`, { extensions: limitExtensions(limit, max, found) }));
  };
}

/**
 * Root fields of an operation, through fragments (each occurrence counts; `__typename` does not).
 * Fragment counts are memoized: fragments that spread each other twice over must not cost
 * exponential time.
 */
function countRootFields(set: SelectionSetNode, context: ValidationContext, memo: Map<string, number>): number {
  let count = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') count++;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += countRootFields(selection.selectionSet, context, memo);
    } else {
      const name = selection.name.value;
      const fragment = context.getFragment(name);
      if (!fragment) continue;
      if (!memo.has(name)) {
        memo.set(name, 0); // a cycle (refused by graphql's NoFragmentCycles rule) counts nothing here
        memo.set(name, countRootFields(fragment.selectionSet, context, memo));
      }
      count += memo.get(name) ?? 0;
    }
  }
  return count;
}

/**
 * Root fields per operation. Armor has no such rule; each root field of a query starts its own
 * resolver chain (and a mutation's run one after another), so their number is bounded apart
 * from aliases.
 */
export function maxRootFieldsRule(max: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const found = countRootFields(operation.selectionSet, context, new Map());
      if (found > max) {
        context.reportError(
          uncodedError(`The operation has ${found} root fields; the limit is ${max} (SAIL_MAX_ROOT_FIELDS)`, {
            nodes: [operation],
            extensions: limitExtensions('SAIL_MAX_ROOT_FIELDS', max, found),
          }),
        );
      }
    },
  });
}

/**
 * Operations of a type the schema lacks (this graph has no subscriptions) are refused as invalid;
 * graphql 16 only finds out when executing, and answers an error without a code.
 */
export const knownOperationTypesRule: ValidationRule = (context) => ({
  OperationDefinition(operation) {
    if (context.getSchema().getRootType(operation.operation)) return;
    context.reportError(uncodedError(`This gateway does not support ${operation.operation} operations`, { nodes: [operation] }));
  },
});

/**
 * Introspection refused (`SAIL_INTROSPECTION=off`): Apollo's own rule would tell the caller to
 * "pass introspection: true to ApolloServer", which no operator of this gateway can do.
 */
export const introspectionOffRule: ValidationRule = (context) => ({
  Field(field) {
    if (field.name.value !== '__schema' && field.name.value !== '__type') return;
    context.reportError(
      uncodedError('Introspection is off on this gateway (SAIL_INTROSPECTION=on turns it on; it follows SAIL_PLAYGROUND by default)', {
        nodes: [field],
        extensions: { limit: 'SAIL_INTROSPECTION' },
      }),
    );
  },
});

/** The validation rules for ApolloServer's `validationRules`. Introspection stays within them. */
export function limitValidationRules(limits: QueryLimits): ValidationRule[] {
  const armor = new ApolloArmor({
    maxDepth: {
      n: limits.maxDepth,
      // Depth counts fields; fragments do not add levels. Introspection (`__schema`) is exempt.
      flattenFragments: true,
      ignoreIntrospection: true,
      propagateOnRejection: false,
      onReject: [armorRejection('SAIL_MAX_DEPTH', limits.maxDepth, (n) => `The operation is ${n ?? 'too many'} levels deep`)],
    },
    maxAliases: {
      n: limits.maxAliases,
      propagateOnRejection: false,
      onReject: [armorRejection('SAIL_MAX_ALIASES', limits.maxAliases, (n) => `The operation has ${n ?? 'too many'} aliases`)],
    },
    maxDirectives: {
      n: limits.maxDirectives,
      propagateOnRejection: false,
      onReject: [armorRejection('SAIL_MAX_DIRECTIVES', limits.maxDirectives, (n) => `The operation has ${n ?? 'too many'} directives`)],
    },
    // Armor's cost rule is static (no list sizes, no variables): SAIL_MAX_COST is estimated below instead.
    costLimit: { enabled: false },
    // Tokens are bounded by Apollo's parseOptions.maxTokens and the HTTP check below; suggestions
    // are a plugin, not a validation rule, so they are not taken from Armor here.
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  });
  return [...armor.protect().validationRules, maxRootFieldsRule(limits.maxRootFields), knownOperationTypesRule];
}
