import type { TokenProvider } from '../token-provider.js';
import type { IscCall, Stage } from '../types.js';

/** Sets the attempt's bearer in place: the call's headers are its own, and each attempt sets its bearer again. */
const withBearer = (call: IscCall, token: string): IscCall => {
  call.headers.authorization = `Bearer ${token}`;
  return call;
};

/**
 * The bearer of each attempt: the caller's own token, a signed-in session's token, or the
 * gateway's client-credentials token. When ISC refuses the gateway's or the session's token (401:
 * revoked, or expired early) it is renewed once and the attempt made once more. Above the
 * governor, so that waiting for a token never holds a rate slot, and the second attempt takes a
 * slot of its own.
 */
export function bearerToken(tokens: TokenProvider): Stage {
  return async (call, next) => {
    const { credential } = call;
    if (credential.kind === 'bearer') return next(withBearer(call, credential.token));
    if (credential.kind === 'session') {
      const token = await credential.session.accessToken();
      const answer = await next(withBearer(call, token));
      return answer.status === 401 ? next(withBearer(call, await credential.session.renew(token))) : answer;
    }
    const token = await tokens.getToken();
    const answer = await next(withBearer(call, token));
    if (answer.status !== 401) return answer;
    tokens.invalidate(token);
    return next(withBearer(call, await tokens.getToken()));
  };
}
