import { badInput } from '../shared/errors.js';
import { ISC_PAGE_SIZE } from '../shared/paging.js';
import { checkIdentifier } from '../shared/path.js';
import { USER_APP_ROUTE_WORDS } from './user-apps.routes.js';

const RESERVED_IDS: ReadonlySet<string> = new Set(USER_APP_ROUTE_WORDS);

/** Checks a user app id the way path segments are checked (it becomes one), refusing the route word `all`. */
export function checkUserAppId(value: string, argument = 'id'): string {
  checkIdentifier(value, argument);
  if (RESERVED_IDS.has(value.toLowerCase())) {
    throw badInput(`${argument} "${value}" names an ISC route (/user-apps/${value}), not a user app`, { argument });
  }
  return value;
}

/** An account id: sent in the JSON Patch body, never in a path, but held to the same rules as any id. */
export function checkAccountId(value: string): string {
  checkIdentifier(value, 'accountId');
  return value;
}

/**
 * `availableAccounts(limit)`: ISC's page size bounds it, since the endpoint has no offset to read
 * further pages with (the gateway's own list cap holds too).
 */
export function checkAvailableAccountsLimit(limit: number | null | undefined, maxListLimit: number): number {
  const max = Math.min(ISC_PAGE_SIZE, maxListLimit);
  const value = limit ?? max;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw badInput(`limit must be between 0 and ${max}: ISC answers one page of available accounts and offers no offset`, {
      argument: 'limit',
      max,
    });
  }
  return value;
}
