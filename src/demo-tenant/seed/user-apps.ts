import { hexId, SOURCE_APP_SEED } from './source-apps.js';
import { CLIENT_CREDENTIALS_IDENTITY, DEMO_USERS } from './users.js';

/**
 * Seed data of the demo tenant's user apps: the apps of each demo identity (the signed-in users
 * and the client-credentials identity), each an instance of a seeded source app, with the
 * accounts that identity has on the app's source. Deterministic: ids are hashes of labels
 * (`user-app:<user>:<n>`, `account:<user>:<source>:<n>`), timestamps are computed.
 */

/** An account the owner may use with a user app (ISC's `AppAccountDetails.sourceAccount`). */
export interface AppAccountRecord {
  id: string;
  nativeIdentity: string;
  displayName: string;
  sourceId: string;
  sourceDisplayName: string;
}

export interface UserAppRecord {
  id: string;
  created: string;
  modified: string;
  useForPasswordManagement: boolean;
  provisionRequestEnabled: boolean;
  appCenterEnabled: boolean;
  /** The seeded source app, as the user app names it (a copy: renaming the source app later does not reach it). */
  sourceApp: { id: string; name: string };
  source: { id: string; name: string };
  /** `name` is the display name, `alias` the user name. */
  owner: { id: string; name: string; alias: string };
  /** The chosen account: one of `availableAccounts`, or null. */
  accountId: string | null;
  /** The owner's accounts on the app's source, the chosen one first. */
  availableAccounts: AppAccountRecord[];
}

// ---------------------------------------------------------------------------------------------
// Tables

interface Owner {
  id: string;
  name: string;
  alias: string;
}

/** Per owner (user name): the source apps (by name) it uses, and how many accounts it has on a source (1 unless named). */
interface OwnerRow {
  apps: string[];
  accountsPerSource?: Record<string, number>;
}

const ROWS: Record<string, OwnerRow> = {
  // Three accounts on Salesforce: she can choose another for Salesforce Sales Cloud.
  'ada.admin': { apps: ['Jira Software', 'Salesforce Sales Cloud', 'Microsoft 365'], accountsPerSource: { Salesforce: 3 } },
  'rita.reader': { apps: ['Confluence', 'Workday HCM'], accountsPerSource: { Workday: 2 } },
  'sam.source': { apps: ['Jenkins CI'] },
  'noor.user': { apps: ['Slack', 'GitHub Enterprise'] },
  // 260 accounts on ServiceNow: more than the 250 one available-accounts call answers.
  'demo.admin': { apps: ['ServiceNow ITSM', 'Tableau Analytics', 'Zoom'], accountsPerSource: { ServiceNow: 260 } },
};

const OWNERS: Owner[] = [
  ...DEMO_USERS.map((u) => ({ id: u.id, name: u.displayName, alias: u.name })),
  { id: CLIENT_CREDENTIALS_IDENTITY.id, name: CLIENT_CREDENTIALS_IDENTITY.displayName, alias: CLIENT_CREDENTIALS_IDENTITY.name },
];

const DAY = 86_400_000;
const EPOCH = Date.parse('2024-02-05T09:15:00.000Z');
const at = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// Generation

/** The owner's `count` accounts on a source: their own first, then admin, test and service accounts. */
function accountsOn(owner: Owner, source: { id: string; name: string }, count: number): AppAccountRecord[] {
  return Array.from({ length: count }, (_, n) => {
    const suffix = n === 0 ? '' : n === 1 ? '-admin' : n === 2 ? '-test' : `-svc-${String(n - 2).padStart(3, '0')}`;
    const label = n === 0 ? '' : n === 1 ? ' (admin)' : n === 2 ? ' (test)' : ` (service ${n - 2})`;
    const nativeIdentity =
      source.name === 'Active Directory' ? `CN=${owner.name}${label},OU=Users,DC=acme-corp,DC=example` : `${owner.alias}${suffix}`;
    return {
      id: hexId(`account:${owner.alias}:${source.name}:${n}`),
      nativeIdentity,
      displayName: `${owner.name}${label}`,
      sourceId: source.id,
      sourceDisplayName: source.name,
    };
  });
}

function userAppsOfOwner(owner: Owner, row: OwnerRow, ownerIndex: number): UserAppRecord[] {
  return row.apps.map((appName, n) => {
    const app = SOURCE_APP_SEED.apps.find((a) => a.name === appName);
    const source = SOURCE_APP_SEED.sources.find((s) => s.id === app?.accountSourceId);
    if (app === undefined || source === undefined) throw new Error(`user app seed: no seeded source app ${appName} with an account source`);
    const accounts = accountsOn(owner, source, row.accountsPerSource?.[source.name] ?? 1);
    const created = EPOCH + ownerIndex * 11 * DAY + n * 3 * DAY;
    return {
      id: hexId(`user-app:${owner.alias}:${n}`),
      created: at(created),
      modified: at(created + (n % 2) * 20 * DAY),
      useForPasswordManagement: source.useForPasswordManagement,
      provisionRequestEnabled: app.provisionRequestEnabled,
      appCenterEnabled: app.appCenterEnabled,
      sourceApp: { id: app.id, name: app.name },
      source: { id: source.id, name: source.name },
      owner: { ...owner },
      accountId: accounts[0].id,
      availableAccounts: accounts,
    };
  });
}

export const USER_APP_SEED: readonly UserAppRecord[] = OWNERS.flatMap((owner, i) => {
  const row = ROWS[owner.alias];
  return row === undefined ? [] : userAppsOfOwner(owner, row, i);
});

/** The seeded user apps of one owner (by user name), in seed order. */
export const userAppsOf = (alias: string): UserAppRecord[] => USER_APP_SEED.filter((app) => app.owner.alias === alias);
