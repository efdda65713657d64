import type { ConnectorCustomizerResolvers, ConnectorCustomizerVersionResolvers, Resolvers } from '../generated/graphql.js';
import type { Context } from '../context.js';
import { gatewayError } from '../shared/errors.js';
import { checkPaging, readPage } from '../shared/paging.js';
import {
  createConnectorCustomizer,
  createConnectorCustomizerVersion,
  deleteConnectorCustomizer,
  getConnectorCustomizer,
  listConnectorCustomizers,
  primeConnectorCustomizer,
  putConnectorCustomizer,
} from './connector-customizers.api.js';
import { rfc3339Timestamp } from './connector-customizers.mappers.js';
import { checkIdentifier } from '../shared/path.js';
import { customizerBody } from './connector-customizers.validation.js';

const ConnectorCustomizer: ConnectorCustomizerResolvers<Context> = {
  __resolveReference: (reference, ctx) => getConnectorCustomizer(ctx.upstream, checkIdentifier(reference.id)),
  created: (c) => rfc3339Timestamp(c.created),
};

const ConnectorCustomizerVersion: ConnectorCustomizerVersionResolvers<Context> = {
  created: (v) => rfc3339Timestamp(v.created),
  // The mutation was a write: the operation reads the customizer again, as the new version left it.
  customizer: (v, _args, ctx) => (v.customizerID ? getConnectorCustomizer(ctx.upstream, v.customizerID) : null),
};

export const connectorCustomizerResolvers: Resolvers<Context> = {
  Query: {
    connectorCustomizers: async (_root, args, ctx) => {
      const { limit, offset } = checkPaging(args, ctx.maxListLimit);
      // ISC cannot count customizers: hasMore comes from reading one item more than asked for.
      const page = await readPage({ limit, offset, withTotal: false }, (chunk) => listConnectorCustomizers(ctx.upstream, chunk));
      return { items: page.items, hasMore: page.hasMore };
    },
    connectorCustomizer: (_root, { id }, ctx) => getConnectorCustomizer(ctx.upstream, checkIdentifier(id)),
  },
  Mutation: {
    createConnectorCustomizer: (_root, { input }, ctx) => createConnectorCustomizer(ctx.upstream, customizerBody(input)),
    updateConnectorCustomizer: async (_root, { id, input }, ctx) => {
      const body = customizerBody(input);
      const updated = await putConnectorCustomizer(ctx.upstream, checkIdentifier(id), body);
      primeConnectorCustomizer(ctx.upstream, updated);
      return updated;
    },
    deleteConnectorCustomizer: async (_root, { id }, ctx) => {
      await deleteConnectorCustomizer(ctx.upstream, checkIdentifier(id));
      return true;
    },
    createConnectorCustomizerVersion: async (_root, { id }, ctx) => {
      // A write: copies of the customizer read earlier in this operation are forgotten (its imageVersion moved).
      const version = await createConnectorCustomizerVersion(ctx.upstream, checkIdentifier(id));
      if (version === null || typeof version !== 'object') {
        throw gatewayError('UPSTREAM_ERROR', 'ISC created the version but answered no version object');
      }
      return version;
    },
  },
  ConnectorCustomizer,
  ConnectorCustomizerVersion,
};
