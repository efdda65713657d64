import type { TokenProvider } from '../token-provider.js';
import type { IscCall, Stage } from '../types.js';

/** Sets the attempt's bearer in place: the call's headers are its own, and each attempt sets its bearer again. */
const withBearer = (call: IscCall, token: string): IscCall => {
  call.headers.authorization = `Bearer ${token}`;
  return call;
};

/** The token a call's credential holds now: the caller's own, the session's or the gateway's (both providers answer from memory while it is valid). */
function currentToken(call: IscCall, tokens: TokenProvider): Promise<string> {
  const { credential } = call;
  if (credential.kind === 'bearer') return Promise.resolve(credential.token);
  if (credential.kind === 'session') return credential.session.accessToken();
  return tokens.getToken();
}

/** The bearer an attempt was sent with (set by `sendsCurrentToken`). */
const sentToken = (call: IscCall): string => call.headers.authorization?.replace(/^Bearer /, '') ?? '';

/**
 * The gateway's and a session's token, renewed once when ISC refuses it (401: revoked, or
 * expired early), and the attempt made once more; a caller's own bearer is never renewed here
 * (passthrough.ts judges it). Above the governor: the token is obtained before the rate wait, so
 * a token request never holds a rate slot, and the second attempt takes a slot of its own.
 */
export function renewsRefusedToken(tokens: TokenProvider): Stage {
  return async (call, next) => {
    const { credential } = call;
    if (credential.kind === 'bearer') return next(call);
    await currentToken(call, tokens);
    const answer = await next(call);
    if (answer.status !== 401) return answer;
    const refused = sentToken(call);
    if (credential.kind === 'session') await credential.session.renew(refused);
    else tokens.invalidate(refused);
    return next(call);
  };
}

/**
 * The bearer of each attempt, read after the rate wait: a call may queue for a slot longer than
 * the token it started with lives, and a token that expired in the queue would cost ISC a 401
 * and the attempt a renewal. Reading it here is a memory read unless the token is due.
 */
export function sendsCurrentToken(tokens: TokenProvider): Stage {
  return async (call, next) => next(withBearer(call, await currentToken(call, tokens)));
}
