import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import type { AuthMode } from '../config.js';
import type { Credential } from '../isc/client.js';
import { isValidApiKey } from './api-keys.js';

/** Inbound authentication: whose ISC rights serve a request, and who acted (for audit records). */

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}

export interface InboundAuth {
  authMode: AuthMode;
  apiKeys: readonly string[];
  /** The demo tenant on a loopback listener: the first-minute experience needs no key. */
  openDemo: boolean;
}

/**
 * Decides whose ISC rights serve a request. The gateway's own client credentials are never lent
 * to an anonymous caller: they need a valid `X-Api-Key` (except on the loopback demo tenant).
 */
export function resolveCredential(headers: { authorization?: string; apiKey?: string }, auth: InboundAuth): Credential {
  const token = bearerToken(headers.authorization);
  if (auth.authMode !== 'client-credentials' && token) return { kind: 'bearer', token };
  if (auth.authMode === 'passthrough') throw unauthenticated('An ISC bearer token is required (Authorization: Bearer <token>)');
  if (!auth.openDemo && !isValidApiKey(headers.apiKey, auth.apiKeys)) {
    throw unauthenticated('A valid gateway API key (X-Api-Key) or an ISC bearer token is required');
  }
  return { kind: 'client-credentials' };
}

/** The first 16 hex digits of a value's SHA-256: names a credential in audit records without revealing it. */
const shortHash = (value: string): string => createHash('sha256').update(value).digest('hex').slice(0, 16);

/**
 * Who acted, for audit records: the caller's bearer token (`bearer:<hash>`) or the API key it
 * presented for the gateway's credentials (`key:<hash>`), never the value itself; `demo` on the
 * open loopback demo tenant, where no credential is asked for. (Not `api-key:`: the log's text
 * redaction masks whatever follows `api-key:`.)
 */
export function principalOf(credential: Credential, apiKey: string | undefined, openDemo: boolean): string {
  if (credential.kind === 'bearer') return `bearer:${shortHash(credential.token)}`;
  if (openDemo) return 'demo';
  return apiKey ? `key:${shortHash(apiKey)}` : 'anonymous';
}
