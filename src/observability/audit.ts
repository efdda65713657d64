// STUB — to be written (audit records of mutations).
import type { ApolloServerPlugin } from '@apollo/server';
import type { Context } from '../context.js';
import type { Logger } from '../log.js';

export function auditPlugin(_logger: Logger): ApolloServerPlugin<Context> {
  return {};
}
