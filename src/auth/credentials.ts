import { createHash } from 'node:crypto';
import type { GraphQLError } from 'graphql';
import type { AuthMode } from '../config/index.js';
import type { Credential } from '../isc/client.js';
import { bearerTokenOf, jwtClaims } from '../shared/bearer.js';
import { refusalError } from '../shared/errors.js';
import { isValidApiKey } from './api-keys.js';

/** Inbound authentication: whose ISC rights serve a request, and who acted (for audit records). */

function unauthenticated(message: string): GraphQLError {
  return refusalError('UNAUTHENTICATED', message);
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
export function resolveCredential(headers: { authorization?: string; apiKey?: string; remoteAddress?: string }, auth: InboundAuth): Credential {
  const token = bearerTokenOf(headers.authorization);
  if (auth.authMode !== 'client-credentials' && token) {
    // A token that cannot be one of ISC's (not a JWT, or expired) never costs an ISC call.
    if (!jwtClaims(token)) throw unauthenticated('The bearer token is not a well-formed, unexpired ISC access token (a JWT)');
    return { kind: 'bearer', token, address: headers.remoteAddress };
  }
  if (auth.authMode === 'passthrough') throw unauthenticated('An ISC bearer token is required (Authorization: Bearer <token>)');
  if (!auth.openDemo && !isValidApiKey(headers.apiKey, auth.apiKeys)) {
    throw unauthenticated(
      auth.authMode === 'client-credentials'
        ? 'A valid gateway API key is required (X-Api-Key header)'
        : 'A valid gateway API key (X-Api-Key header) or an ISC bearer token (Authorization header) is required',
    );
  }
  return { kind: 'client-credentials' };
}

/**
 * A warning for a configuration that serves nobody with the gateway's own credentials: no API key
 * is accepted, so every caller without an ISC bearer token of its own gets 401.
 */
export function ownCredentialsUnusable(auth: InboundAuth): string | undefined {
  if (auth.authMode === 'passthrough' || auth.openDemo || auth.apiKeys.length > 0) return undefined;
  const alternative = auth.authMode === 'auto' ? ' Callers that send their own ISC bearer token in the Authorization header are still served.' : '';
  return (
    "No SAIL_API_KEYS (formerly GATEWAY_API_KEYS) set: every request for the gateway's own ISC credentials is refused with 401. " +
    `Set SAIL_API_KEYS and have callers send a key in the X-Api-Key header.${alternative}`
  );
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
  if (credential.kind === 'session') return 'user:unknown';
  if (openDemo) return 'demo';
  return apiKey ? `key:${shortHash(apiKey)}` : 'anonymous';
}

/** A signed-in user, for audit records: the identity ISC's token names (as ISC issued it; it authorizes nothing here). */
export const sessionPrincipal = (user: { id: string; name: string }): string => `user:${user.name}#${user.id}`;
