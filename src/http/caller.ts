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
  /** `SAIL_TRUSTED_PROXY_HOPS`: see `clientAddress`. */
  trustedProxyHops: number;
}

/**
 * The caller's network address: the socket's, or behind `hops` trusted reverse proxies, the
 * `X-Forwarded-For` entry the outermost of them added (entries further left are the caller's own
 * word, and a request with fewer entries did not come through them: its socket address counts).
 */
export function clientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, hops: number): string | undefined {
  if (hops === 0) return socketAddress;
  const entries = (forwardedFor ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.length >= hops ? entries[entries.length - hops] : socketAddress;
}

function once(compute: () => string): () => string {
  let value: string | undefined;
  return () => (value ??= compute());
}

/** The caller of one HTTP request: a session cookie comes first, then an API key or a bearer token. */
export async function resolveCaller(
  req: http.IncomingMessage,
  requestId: string,
  { auth, signIn, operation, trustedProxyHops }: CallerOptions,
): Promise<Caller> {
  const settings = /\bno-cache\b/i.test(header(req, 'cache-control') ?? '') ? { ...operation, fresh: true } : operation;
  // A cookie that names no live session is refused, never passed over.
  const signedIn = await signIn?.sessionOf({ cookie: req.headers.cookie, origin: header(req, 'origin') });
  if (signedIn) {
    const credential = { kind: 'session' as const, session: signedIn.credential };
    return { requestId, credential, principal: once(() => sessionPrincipal(signedIn.user)), settings };
  }
  const apiKey = header(req, 'x-api-key');
  const remoteAddress = clientAddress(req.socket.remoteAddress, [req.headers['x-forwarded-for'] ?? []].flat().join(','), trustedProxyHops);
  const credential = resolveCredential({ authorization: header(req, 'authorization'), apiKey, remoteAddress }, auth);
  return { requestId, credential, principal: once(() => principalOf(credential, apiKey, auth.openDemo)), settings };
}
