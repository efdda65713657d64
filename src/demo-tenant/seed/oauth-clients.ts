import { createHash } from 'node:crypto';

/**
 * Seed OAuth clients of the demo tenant: a typical mix of integrations (client credentials),
 * browser and mobile apps (authorization code, refresh tokens), clients never used, one disabled,
 * one internal, and one with a grant type outside the spec's enum on purpose (so the gateway's
 * UNKNOWN rule shows). Deterministic: fixed ids, timestamps and secrets. The wording is our own.
 */

/** One client as the demo tenant stores it: ISC's read shape plus the secret it keeps. */
export interface OAuthClientRecord {
  id: string;
  businessName: string | null;
  homepageUrl: string | null;
  name: string;
  description: string | null;
  accessTokenValiditySeconds: number;
  refreshTokenValiditySeconds: number;
  redirectUris: string[] | null;
  grantTypes: string[];
  accessType: string;
  type: string;
  internal: boolean;
  enabled: boolean;
  strongAuthSupported: boolean;
  claimsSupported: boolean;
  created: string;
  modified: string;
  lastUsed: string | null;
  metadata: string | null;
  scope: string[] | null;
  secret: string;
}

type SeedRow = Omit<OAuthClientRecord, 'id' | 'secret' | 'metadata' | 'internal' | 'strongAuthSupported' | 'claimsSupported'> &
  Partial<Pick<OAuthClientRecord, 'metadata' | 'internal' | 'strongAuthSupported' | 'claimsSupported'>>;

const hex = (seed: string, length: number): string => createHash('sha256').update(seed).digest('hex').slice(0, length);

const ROWS: SeedRow[] = [
  {
    name: 'Workday HR Feed',
    description: 'Nightly import of joiners, movers and leavers from Workday into the identity profile.',
    businessName: 'Acme Corp',
    homepageUrl: 'https://hr.acme-corp.example',
    accessTokenValiditySeconds: 750,
    refreshTokenValiditySeconds: 86400,
    redirectUris: [],
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    created: '2021-03-08T09:12:44.120Z',
    modified: '2023-11-02T16:40:03.551Z',
    lastUsed: '2025-01-14T02:00:11.903Z',
    scope: ['sp:scopes:all'],
  },
  {
    name: 'ServiceNow Access Requests',
    description: 'Lets the ServiceNow catalogue submit and track access requests.',
    businessName: 'Acme Corp IT',
    homepageUrl: 'https://acmecorp.service-now.example',
    accessTokenValiditySeconds: 900,
    refreshTokenValiditySeconds: 86400,
    redirectUris: [],
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    created: '2021-09-21T13:30:00.004Z',
    modified: '2024-02-19T08:15:27.760Z',
    lastUsed: '2024-12-30T11:45:09.118Z',
    scope: ['idn:access-request:manage', 'idn:identity:read'],
  },
  {
    name: 'Access Portal (single-page app)',
    description: 'The self-service portal employees use to request and review access.',
    businessName: 'Acme Corp',
    homepageUrl: 'https://access.acme-corp.example',
    accessTokenValiditySeconds: 600,
    refreshTokenValiditySeconds: 28800,
    redirectUris: ['https://access.acme-corp.example/callback', 'http://localhost:5173/callback'],
    grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
    accessType: 'ONLINE',
    type: 'PUBLIC',
    enabled: true,
    created: '2022-01-10T10:00:00.000Z',
    modified: '2024-05-06T14:22:48.310Z',
    lastUsed: '2025-01-13T07:31:55.002Z',
    scope: ['sp:scopes:all'],
  },
  {
    name: 'Approvals Mobile App',
    description: 'Managers approve access requests from their phones.',
    businessName: 'Acme Corp',
    homepageUrl: 'https://www.acme-corp.example/apps/approvals',
    accessTokenValiditySeconds: 600,
    refreshTokenValiditySeconds: 2592000,
    redirectUris: ['com.acmecorp.approvals:/oauth2redirect'],
    grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
    accessType: 'OFFLINE',
    type: 'PUBLIC',
    enabled: true,
    strongAuthSupported: true,
    created: '2022-06-01T08:05:13.447Z',
    modified: '2022-06-01T08:05:13.447Z',
    lastUsed: '2024-11-28T19:02:40.733Z',
    scope: ['idn:access-request:manage'],
  },
  {
    name: 'Terraform Provisioning Pipeline',
    description: 'Manages sources and transforms as code from the platform team pipeline.',
    businessName: 'Acme Corp Platform Team',
    homepageUrl: null,
    accessTokenValiditySeconds: 750,
    refreshTokenValiditySeconds: 86400,
    redirectUris: null,
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    created: '2024-10-15T15:48:02.219Z',
    modified: '2024-10-15T15:48:02.219Z',
    lastUsed: null,
    scope: ['sp:scopes:all'],
  },
  {
    name: 'Legacy Reporting Export',
    description: 'Weekly certification report export; replaced by the data warehouse feed.',
    businessName: 'Acme Corp Audit',
    homepageUrl: 'http://reports.internal.acme-corp.example:8080',
    accessTokenValiditySeconds: 3600,
    refreshTokenValiditySeconds: 86400,
    redirectUris: [],
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    enabled: false,
    created: '2020-02-03T12:00:00.000Z',
    modified: '2023-01-09T10:10:10.101Z',
    lastUsed: '2022-08-17T03:00:00.500Z',
    scope: ['idn:certification:read'],
  },
  {
    name: 'Search Indexer',
    description: 'Product-internal client that keeps the search index current.',
    businessName: null,
    homepageUrl: null,
    accessTokenValiditySeconds: 300,
    refreshTokenValiditySeconds: 3600,
    redirectUris: [],
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    internal: true,
    enabled: true,
    created: '2019-11-30T00:00:00.000Z',
    modified: '2019-11-30T00:00:00.000Z',
    lastUsed: '2025-01-14T06:00:00.000Z',
    metadata: '{"managedBy":"platform"}',
    scope: ['sp:scopes:all'],
  },
  {
    name: 'SIEM Event Forwarder',
    description: 'Streams audit events to the security operations SIEM.',
    businessName: 'Acme Corp Security',
    homepageUrl: 'https://siem.acme-corp.example',
    accessTokenValiditySeconds: 750,
    refreshTokenValiditySeconds: 86400,
    redirectUris: [],
    grantTypes: ['CLIENT_CREDENTIALS'],
    accessType: 'ONLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    created: '2022-04-12T09:40:31.877Z',
    modified: '2023-07-28T13:03:44.020Z',
    lastUsed: '2023-09-05T23:59:59.999Z',
    scope: ['idn:search:read', 'idn:audit:read'],
  },
  {
    name: 'Partner Onboarding Portal',
    description: 'Web app through which suppliers register their contractors.',
    businessName: 'Acme Corp Procurement',
    homepageUrl: 'https://partners.acme-corp.example',
    accessTokenValiditySeconds: 900,
    refreshTokenValiditySeconds: 604800,
    redirectUris: ['https://partners.acme-corp.example/oauth/callback', 'https://partners-staging.acme-corp.example/oauth/callback'],
    grantTypes: ['AUTHORIZATION_CODE', 'REFRESH_TOKEN'],
    accessType: 'OFFLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    claimsSupported: true,
    created: '2024-12-02T11:11:11.111Z',
    modified: '2024-12-20T17:45:00.000Z',
    lastUsed: null,
    scope: ['idn:identity:read', 'idn:identity:manage'],
  },
  {
    name: 'Badge Kiosk',
    description: 'Lobby kiosks that sign visitors in; registered with a device grant ISC added later.',
    businessName: 'Acme Corp Facilities',
    homepageUrl: null,
    accessTokenValiditySeconds: 1800,
    refreshTokenValiditySeconds: 86400,
    redirectUris: [],
    grantTypes: ['DEVICE_CODE', 'REFRESH_TOKEN'],
    accessType: 'OFFLINE',
    type: 'CONFIDENTIAL',
    enabled: true,
    created: '2023-05-22T06:30:00.000Z',
    modified: '2024-03-11T12:00:00.000Z',
    lastUsed: '2024-03-12T08:15:42.640Z',
    scope: ['idn:visitor:manage'],
  },
];

export const OAUTH_CLIENT_SEED: readonly OAuthClientRecord[] = ROWS.map((row, i) => {
  const id = hex(`demo-oauth-client:${i}:${row.name}`, 32);
  return {
    internal: false,
    strongAuthSupported: false,
    claimsSupported: false,
    metadata: null,
    ...row,
    id,
    secret: hex(`demo-oauth-secret:${id}`, 64),
  };
});
