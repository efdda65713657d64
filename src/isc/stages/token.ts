import type { TokenProvider } from '../token-provider.js';
import type { IscCall, Stage } from '../types.js';

/** Sets the attempt's bearer in place: the call's headers are its own, and each attempt sets its bearer again. */
const withBearer = (call: IscCall, token: string): IscCall => {
  call.headers.authorization = `Bearer ${token}`;
  return call;
};

/**
 * The bearer of each attempt: the caller's own token, or the gateway's client-credentials token.
 * When ISC refuses the gateway's token (401: revoked, or expired early) it is dropped, a new one
 * is fetched, and the attempt is made once more. Above the governor, so that waiting for a token
 * never holds a rate slot, and the second attempt takes a slot of its own.
 */
export function bearerToken(tokens: TokenProvider): Stage {
  return async (call, next) => {
    if (call.credential.kind === 'bearer') return next(withBearer(call, call.credential.token));
    const token = await tokens.getToken();
    const answer = await next(withBearer(call, token));
    if (answer.status !== 401) return answer;
    tokens.invalidate(token);
    return next(withBearer(call, await tokens.getToken()));
  };
}
