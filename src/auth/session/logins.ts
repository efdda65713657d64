import { createHash } from 'node:crypto';
import { derivedKey, seal, unseal } from '../../shared/sealing.js';
import type { KeyValueStore } from '../../redis/key-value-store.js';

/**
 * A sign-in in progress lives in its browser only: state, PKCE verifier, return path and expiry
 * travel in the login cookie, sealed with AES-256-GCM under a key derived from the session secret
 * for this purpose alone. The gateway keeps nothing for a sign-in that has not come back, so no
 * number of anonymous `/auth/login` requests can push out someone's sign-in, or fill memory or
 * Redis. The callback opens the cookie once: its state is marked used until the cookie's expiry
 * before anything else, so a replayed callback costs no token request.
 */
export interface LoginTransaction {
  state: string;
  verifier: string | undefined;
  /** A path on this site, normalized and percent-encoded (routes.ts). */
  returnTo: string;
  /** After this (ms since the epoch) the callback refuses it. */
  expiresAt: number;
}

export interface Logins {
  /** The login cookie's value for a new sign-in. */
  begin(transaction: Omit<LoginTransaction, 'expiresAt'>): string;
  /** The sign-in this cookie value started, once: undefined when it does not open, has expired, or came back before. */
  finish(cookie: string): Promise<LoginTransaction | undefined>;
}

export interface LoginsOptions {
  /** The current session secret first, then earlier ones: a cookie sealed just before a rotation still opens. */
  secrets: readonly string[];
  timeoutMs: number;
  /** Where used sign-ins are marked until they expire; in memory, apart from the sessions (a mark takes no session's place). */
  used: KeyValueStore;
  now?: () => number;
}

/** Additional data of the seal: a value sealed for another purpose under the same key does not open as a login. */
const PURPOSE = 'isc-gw login';

const keyOf = (secret: string): Buffer => derivedKey(secret, 'isc-graphql-gateway sign-in', 'login cookie');

function transactionOf(text: string): LoginTransaction | undefined {
  const value = JSON.parse(text) as Partial<LoginTransaction>;
  const fields = [value.state, value.returnTo, value.verifier ?? ''];
  return fields.every((field) => typeof field === 'string') && typeof value.expiresAt === 'number' ? (value as LoginTransaction) : undefined;
}

export function createLogins(options: LoginsOptions): Logins {
  const keys = options.secrets.map(keyOf);
  const clock = options.now ?? Date.now;
  const open = (cookie: string): LoginTransaction | undefined => {
    for (const key of keys) {
      const text = unseal(key, cookie, PURPOSE);
      if (text !== undefined) return transactionOf(text);
    }
    return undefined;
  };
  return {
    begin: (transaction) => seal(keys[0], JSON.stringify({ ...transaction, expiresAt: clock() + options.timeoutMs }), PURPOSE),
    async finish(cookie) {
      const transaction = open(cookie);
      const leftMs = transaction ? transaction.expiresAt - clock() : 0;
      if (!transaction || leftMs <= 0) return undefined;
      const mark = `login-used:${createHash('sha256').update(transaction.state).digest('base64url')}`;
      return (await options.used.create(mark, '1', leftMs)) ? transaction : undefined;
    },
  };
}
