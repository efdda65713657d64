import { hexId } from './source-apps.js';
import { ALL_DOMAIN_SCOPES, DOMAIN_SCOPES } from '../scopes.js';

/**
 * The people who can sign in to the demo tenant (the authorization-code flow, sign-in.ts): each a
 * seeded identity with a user level and the scopes a sign-in grants. Deterministic: the identity
 * ids are hashes of the user names, so every tenant (and every test) knows them in advance.
 */
export interface DemoUser {
  /** The identity id (32 hex digits), the tokens' `identity_id`. */
  id: string;
  /** The user name, the tokens' `user_name`; the sign-in form posts it as `user`. */
  name: string;
  displayName: string;
  email: string;
  /** User levels, the tokens' `authorities`. */
  levels: readonly string[];
  /** The scopes of an access token issued to this user, the tokens' `scope`. */
  scopes: readonly string[];
  /** One line for the sign-in page. */
  description: string;
}

const { connectors, connectorCustomizers, sourceApps, oauthClients } = DOMAIN_SCOPES;

function user(name: string, displayName: string, levels: string[], scopes: string[], description: string): DemoUser {
  return { id: hexId(`identity:${name}`), name, displayName, email: `${name}@acme-corp.example`, levels, scopes, description };
}

export const DEMO_USERS: readonly DemoUser[] = Object.freeze([
  user('ada.admin', 'Ada Adeyemi', ['ORG_ADMIN'], [...ALL_DOMAIN_SCOPES], 'Org admin: reads and changes everything'),
  user(
    'rita.reader',
    'Rita Ramos',
    // The admin level, signed in with read scopes only: every read works, every change is refused.
    ['ORG_ADMIN'],
    [connectors.read, connectorCustomizers.read, sourceApps.read, oauthClients.read],
    'Read-only: reads everything, changes nothing',
  ),
  user(
    'sam.source',
    'Samir Haddad',
    ['SOURCE_ADMIN'],
    [connectors.read, connectors.manage],
    'Source admin: reads and changes connectors, nothing else',
  ),
  // Not ORG_ADMIN: ISC refuses her the admin list of source apps (`GET /source-apps/all`).
  user('noor.user', 'Noor Nasser', ['USER'], [sourceApps.read, sourceApps.manage], 'End user: their own apps; no admin level'),
]);

/**
 * The identity client-credentials tokens of the demo client speak for (ISC: the owner of the API
 * client), what `npm start` without sign-in calls as. Its id is fixed, like the users', so it
 * can own seeded data (its user apps).
 */
export const CLIENT_CREDENTIALS_IDENTITY = Object.freeze({ id: hexId('identity:demo.admin'), name: 'demo.admin', displayName: 'Demo Admin' });

export const findDemoUser = (name: string): DemoUser | undefined => DEMO_USERS.find((u) => u.name === name);
