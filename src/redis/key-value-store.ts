/**
 * Where sessions live: strings under keys, with a lifetime. In memory by default (bounded), in
 * Redis when replicas share one, so any replica serves any session and a restart signs nobody out.
 * Values are sealed by the caller (sessions.ts): the store sees none of their content.
 *
 * Only `create` makes a key exist. Every later write (`update`, `move`) happens only while the key
 * is still there, atomically, so a session deleted meanwhile (signed out, on any replica) is never
 * written back by a refresh or a "seen again" that was already under way.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | undefined>;
  /** Writes a new key; false (nothing written) when it exists. */
  create(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Writes over `key` only if it exists; false (nothing written) when it is gone. */
  update(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** At once: deletes `from` and writes `value` under `to`, only if `from` exists; false (nothing done) when it is gone. */
  move(from: string, to: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes every key given, at once. */
  delete(...keys: string[]): Promise<void>;
  /** Holds `key` for `ms` unless someone else does; the release function, or undefined when it is held. */
  lock(key: string, ms: number): Promise<(() => Promise<void>) | undefined>;
}
