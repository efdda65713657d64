import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import { defaultFieldResolver, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { errorCodeOf } from '../shared/errors.js';
import type { Logger } from '../log/logger.js';

/** One executed root mutation field: who did what to which object, and how it ended. */
export type AuditRecord = {
  audit: true;
  requestId?: string;
  /** A short hash of the credential that acted, or `demo` (see principalOf in context.ts). */
  principal: string;
  /** The mutation field (`updateOAuthClient`). */
  operation: string;
  /** The GraphQL operation's name, when the caller gave one. */
  operationName?: string;
  /** The object acted on; a list for bulk operations. Absent for a create that failed. */
  targetId?: string | string[];
  /** How many ids a bulk operation named, when more than the list shows. */
  targetCount?: number;
  outcome: 'success' | 'failure';
  /** The error's `extensions.code` when the mutation failed (`BAD_USER_INPUT`, `NOT_FOUND`, `UPSTREAM_ERROR`…). */
  errorCode?: string;
};

/** Identifiers come from the caller: bounded in length and number, like everything else in a log line. */
const MAX_ID_LENGTH = 128;
const MAX_TARGET_IDS = 50;

const identifier = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? (value.length > MAX_ID_LENGTH ? `${value.slice(0, MAX_ID_LENGTH)}…` : value) : undefined;

/**
 * The object a mutation acted on: its identifying argument (`id`, `scriptName`), the `ids` of a
 * bulk operation, or, for a create, the `id` / `scriptName` of the created object. Only those two
 * members of the answer are read (a created OAuth client's answer also holds its secret).
 */
export function targetOf(args: Record<string, unknown>, result: unknown): Pick<AuditRecord, 'targetId' | 'targetCount'> {
  const named = identifier(args.id) ?? identifier(args.scriptName);
  if (named) return { targetId: named };
  if (Array.isArray(args.ids)) {
    const ids = args.ids
      .slice(0, MAX_TARGET_IDS)
      .map(identifier)
      .filter((id): id is string => id !== undefined);
    return { targetId: ids, targetCount: args.ids.length > ids.length ? args.ids.length : undefined };
  }
  if (typeof result === 'object' && result !== null) {
    const created = result as { id?: unknown; scriptName?: unknown };
    const id = identifier(created.id) ?? identifier(created.scriptName);
    if (id) return { targetId: id };
  }
  return {};
}

/** The parts of the gateway's Context a record reads (absent when the plugin serves another server). */
interface AuditedContext {
  requestId?: string;
  principal?: () => string;
}

export function auditRecord(
  info: Pick<GraphQLResolveInfo, 'fieldName' | 'operation'>,
  context: AuditedContext | undefined,
  args: Record<string, unknown>,
  ended: { error: unknown } | { result: unknown },
): AuditRecord {
  const failed = 'error' in ended;
  return {
    audit: true,
    requestId: context?.requestId,
    principal: context?.principal?.() ?? 'unknown',
    operation: info.fieldName,
    operationName: info.operation.name?.value,
    ...targetOf(args, failed ? undefined : ended.result),
    outcome: failed ? 'failure' : 'success',
    errorCode: failed ? errorCodeOf(ended.error) : undefined,
  };
}

const audited = new WeakSet<GraphQLSchema>();

/**
 * Wraps each root Mutation field's resolver so that, once it has settled, one audit record is
 * written: per field, so a request that runs several mutations leaves several records. Only the
 * root Mutation fields are wrapped; queries and nested fields run untouched. (Apollo's
 * `willResolveField` hook would do the same, but enabling it wraps every field of the schema, so
 * every query after the first mutation would pay for it.)
 */
export function auditMutations(schema: GraphQLSchema, logger: Logger): void {
  const mutation = schema.getMutationType();
  if (!mutation || audited.has(schema)) return;
  audited.add(schema);
  for (const field of Object.values(mutation.getFields())) {
    const resolve = field.resolve ?? defaultFieldResolver;
    field.resolve = async (source, args: Record<string, unknown>, context: AuditedContext | undefined, info) => {
      try {
        const result: unknown = await resolve(source, args, context, info);
        logger.info('audit', auditRecord(info, context, args, { result }));
        return result;
      } catch (error) {
        logger.info('audit', auditRecord(info, context, args, { error }));
        throw error;
      }
    };
  }
}

/** Audit records of mutations (see auditMutations), installed on the schema when the server starts. */
export function auditPlugin<TContext extends BaseContext>(logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async serverWillStart({ schema }) {
      auditMutations(schema, logger);
    },
  };
}
