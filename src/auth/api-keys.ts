import { createHash, timingSafeEqual } from 'node:crypto';

/** Keys presented by server-side callers (`X-Api-Key`), checked in constant time. */
const digest = (value: string): Buffer => createHash('sha256').update(value).digest();

const checkers = new WeakMap<readonly string[], (presented: string | undefined) => boolean>();

/** Constant-time comparison against every configured key (digests make lengths equal). */
export function isValidApiKey(presented: string | undefined, keys: readonly string[]): boolean {
  let check = checkers.get(keys);
  if (!check) checkers.set(keys, (check = apiKeyChecker(keys)));
  return check(presented);
}

/** The configured keys' digests computed once; each check hashes only the presented key. */
export function apiKeyChecker(keys: readonly string[]): (presented: string | undefined) => boolean {
  const digests = keys.map(digest);
  return (presented) => {
    if (!presented) return false;
    const candidate = digest(presented);
    let valid = false;
    for (const key of digests) valid = timingSafeEqual(candidate, key) || valid;
    return valid;
  };
}
