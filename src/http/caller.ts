import type http from 'node:http';
import { principalOf, resolveCredential, sessionPrincipal, type InboundAuth } from '../auth/credentials.js';
import type { SessionMode } from '../auth/session/index.js';
import type { OperationSettings } from '../context.js';
import type { Credential } from '../isc/client.js';
import { header } from './respond.js';

/**
 * Who calls and what their operations may do, resolved once per HTTP request (the operations of a
 * batch share it): each operation's context is built from it (see operationContextPlugin).
 */
export interface Caller {
  requestId: string;
  credential: Credential;
  /** Who acted, for audit records: computed on first use, once per HTTP request. */
  principal: () => string;
  settings: OperationSettings;
}

export interface CallerOptions {
  auth: InboundAuth;
  /** Sign-in at the gateway, once it listens; undefined when off. */
  signIn: SessionMode | undefined;
  operation: OperationSettings;
}

function once(compute: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= compute());
}

/** The caller of one HTTP request: a session cookie comes first, then an API key or a bearer token. */
export async function resolveCaller(req: http.IncomingMessage, requestId: string, { auth, signIn, operation }: CallerOptions): Promise<Caller> {
  const settings = /\bno-cache\b/i.test(header(req, 'cache-control') ?? '') ? { ...operation, fresh: true } : operation;
  // A cookie that names no live session is refused, never passed over.
  const signedIn = await signIn?.sessionOf({ cookie: req.headers.cookie, origin: header(req, 'origin') });
  if (signedIn) {
    const credential = { kind: 'session' as const, session: signedIn.credential };
    return { requestId, credential, principal: once(() => sessionPrincipal(signedIn.user)), settings };
  }
  const apiKey = header(req, 'x-api-key');
  const credential = resolveCredential({ authorization: header(req, 'authorization'), apiKey, remoteAddress: req.socket.remoteAddress }, auth);
  return { requestId, credential, principal: once(() => principalOf(credential, apiKey, auth.openDemo)), settings };
}
