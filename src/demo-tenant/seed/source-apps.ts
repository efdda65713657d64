import { createHash } from 'node:crypto';

/**
 * Seed data of the demo tenant's source apps: the identities that own them, the account sources
 * behind them and the access profiles they offer. Generated deterministically from the tables
 * below (ids are hashes of names, timestamps are computed), so every tenant starts identical.
 */

export interface IdentityRecord {
  id: string;
  name: string;
}

export interface PasswordPolicyRef {
  type: 'PASSWORD_POLICY';
  id: string;
  name: string;
}

export interface AccountSourceRecord {
  id: string;
  name: string;
  /** The older numeric id ISC still reports as an access profile's `sourceId`. */
  legacyId: number;
  useForPasswordManagement: boolean;
  passwordPolicies: PasswordPolicyRef[] | null;
}

export interface AccessProfileRecord {
  id: string;
  name: string;
  description: string | null;
  created: string;
  modified: string;
  disabled: boolean;
  requestable: boolean;
  protected: boolean;
  ownerId: string;
  /** The account source (by id) whose entitlements the profile bundles. */
  sourceId: string;
  entitlements: string[];
  segments: string[];
  approvalSchemes: string;
  revokeRequestApprovalSchemes: string;
  requestCommentsRequired: boolean;
  deniedCommentsRequired: boolean;
  accountSelector: { selectors: unknown[] | null };
}

export interface SourceAppRecord {
  id: string;
  cloudAppId: string;
  name: string;
  description: string;
  created: string;
  modified: string;
  enabled: boolean;
  provisionRequestEnabled: boolean;
  appCenterEnabled: boolean;
  matchAllAccounts: boolean;
  accountSourceId: string | null;
  ownerId: string | null;
  /** Ids of the access profiles the app offers, in the order they were added. */
  accessProfiles: string[];
  /** Whether the app is assigned to the demo tenant's caller (`GET /source-apps/assigned`). */
  assignedToCaller: boolean;
}

export interface SourceAppSeed {
  identities: IdentityRecord[];
  sources: AccountSourceRecord[];
  accessProfiles: AccessProfileRecord[];
  apps: SourceAppRecord[];
}

/** A 32-hex-digit id like ISC's, stable for the same label. */
export const hexId = (label: string): string => createHash('sha256').update(label).digest('hex').slice(0, 32);

const DAY = 86_400_000;
const EPOCH = Date.parse('2023-01-09T08:30:00.000Z');
const at = (ms: number): string => new Date(ms).toISOString();

// ---------------------------------------------------------------------------------------------
// Tables

const OWNERS = ['Priya Raman', 'Marcus Webb', 'Elena Kovacs', 'Tomás Herrera', 'Aisha Okafor', 'Daniel Brooks', 'Mei Lin Zhou', 'Sofia Lindqvist'];

/** [name, used for password management, password policy names] */
const SOURCES: Array<[string, boolean, string[] | null]> = [
  ['Active Directory', true, ['Corporate Password Policy', 'Privileged Account Policy']],
  ['Workday', false, null],
  ['Salesforce', false, null],
  ['ServiceNow', false, null],
  ['Okta', true, ['Cloud Password Policy']],
  ['SAP S/4HANA', true, ['SAP Password Policy']],
  ['GitHub Enterprise', false, null],
  ['Microsoft Entra ID', true, ['Cloud Password Policy']],
];

interface AppRow {
  name: string;
  description: string;
  source: string;
  owner: number;
  profiles: string[];
  enabled?: boolean;
  provisionRequestEnabled?: boolean;
  appCenterEnabled?: boolean;
  matchAllAccounts?: boolean;
  assigned?: boolean;
}

const APPS: AppRow[] = [
  {
    name: 'Jira Software',
    description: 'Issue and sprint tracking for product and engineering teams',
    source: 'Active Directory',
    owner: 0,
    profiles: ['Jira Users', 'Jira Project Admins'],
    assigned: true,
  },
  {
    name: 'Confluence',
    description: 'Team wiki and documentation spaces',
    source: 'Active Directory',
    owner: 0,
    profiles: ['Confluence Readers', 'Confluence Space Admins'],
    assigned: true,
  },
  {
    name: 'Workday HCM',
    description: 'Employee records, time off and performance reviews',
    source: 'Workday',
    owner: 4,
    profiles: ['Employee Self-Service', 'HR Partner', 'Compensation Analyst'],
    matchAllAccounts: true,
  },
  {
    name: 'Workday Financials',
    description: 'Expenses, invoices and budget tracking',
    source: 'Workday',
    owner: 5,
    profiles: ['Expense Submitter', 'Accounts Payable Clerk'],
  },
  {
    name: 'Salesforce Sales Cloud',
    description: 'Accounts, opportunities and sales forecasting',
    source: 'Salesforce',
    owner: 1,
    profiles: ['Sales Representative', 'Sales Manager', 'CRM Administrator'],
  },
  {
    name: 'Salesforce Service Cloud',
    description: 'Customer cases, knowledge base and support queues',
    source: 'Salesforce',
    owner: 1,
    profiles: ['Support Agent', 'Support Supervisor'],
  },
  {
    name: 'ServiceNow ITSM',
    description: 'Incidents, changes and the IT service catalogue',
    source: 'ServiceNow',
    owner: 2,
    profiles: ['ITIL User', 'Change Approver', 'ServiceNow Administrator'],
  },
  {
    name: 'ServiceNow HR Service Delivery',
    description: 'HR cases and employee onboarding tasks',
    source: 'ServiceNow',
    owner: 4,
    profiles: ['HR Case Agent'],
    enabled: false,
  },
  {
    name: 'Okta Dashboard',
    description: 'Single sign-on portal for cloud applications',
    source: 'Okta',
    owner: 3,
    profiles: ['Okta Users'],
    matchAllAccounts: true,
    assigned: true,
  },
  {
    name: 'SAP Finance (FI/CO)',
    description: 'General ledger, controlling and period close',
    source: 'SAP S/4HANA',
    owner: 5,
    profiles: ['GL Accountant', 'Controller', 'Period Close Coordinator'],
  },
  {
    name: 'SAP Procurement',
    description: 'Purchase requisitions, orders and supplier management',
    source: 'SAP S/4HANA',
    owner: 5,
    profiles: ['Purchase Requisitioner', 'Buyer'],
  },
  {
    name: 'GitHub Enterprise',
    description: 'Source code hosting, pull requests and code review',
    source: 'GitHub Enterprise',
    owner: 6,
    profiles: ['GitHub Developers', 'Repository Maintainers', 'GitHub Organization Owners'],
    assigned: true,
  },
  {
    name: 'Microsoft 365',
    description: 'Mail, calendar and Office applications',
    source: 'Microsoft Entra ID',
    owner: 3,
    profiles: ['Microsoft 365 E3', 'Microsoft 365 E5'],
    matchAllAccounts: true,
    assigned: true,
  },
  {
    name: 'Microsoft Teams',
    description: 'Chat, meetings and team channels',
    source: 'Microsoft Entra ID',
    owner: 3,
    profiles: ['Teams Users', 'Teams Rooms Administrators'],
    assigned: true,
  },
  {
    name: 'Azure Portal',
    description: 'Cloud subscriptions and resource management',
    source: 'Microsoft Entra ID',
    owner: 6,
    profiles: ['Azure Reader', 'Azure Contributor', 'Subscription Owner'],
  },
  {
    name: 'VPN Remote Access',
    description: 'Remote network access for employees and contractors',
    source: 'Active Directory',
    owner: 2,
    profiles: ['VPN Standard', 'VPN Privileged'],
    assigned: true,
  },
  {
    name: 'Departmental File Shares',
    description: 'Network shares of the finance and HR departments',
    source: 'Active Directory',
    owner: 2,
    profiles: ['Finance Share Read', 'Finance Share Write', 'HR Share Read'],
  },
  {
    name: 'Tableau Analytics',
    description: 'Dashboards and self-service reporting',
    source: 'Active Directory',
    owner: 7,
    profiles: ['Tableau Viewer', 'Tableau Creator'],
  },
  { name: 'Zoom', description: 'Video meetings and webinars', source: 'Okta', owner: 3, profiles: ['Zoom Licensed User'], matchAllAccounts: true },
  {
    name: 'Slack',
    description: 'Messaging workspace for the whole company',
    source: 'Okta',
    owner: 3,
    profiles: ['Slack Members', 'Slack Workspace Admins'],
    assigned: true,
  },
  { name: 'DocuSign', description: 'Electronic signatures for contracts and forms', source: 'Okta', owner: 1, profiles: ['DocuSign Sender'] },
  {
    name: 'Concur Travel & Expense',
    description: 'Travel booking and expense reports',
    source: 'Workday',
    owner: 5,
    profiles: ['Travel Booker', 'Expense Approver'],
  },
  {
    name: 'Oracle Database Access',
    description: 'Direct access to the reporting databases',
    source: 'Active Directory',
    owner: 6,
    profiles: ['Database Read Only', 'Database Schema Owner'],
    provisionRequestEnabled: false,
  },
  {
    name: 'Jenkins CI',
    description: 'Build and deployment pipelines',
    source: 'GitHub Enterprise',
    owner: 6,
    profiles: ['Jenkins Builders', 'Jenkins Administrators'],
    enabled: false,
  },
  { name: 'PagerDuty', description: 'On-call schedules and incident alerting', source: 'Okta', owner: 2, profiles: ['On-Call Responder'] },
  {
    name: 'Snowflake Data Warehouse',
    description: 'Analytical data warehouse for reporting and data science',
    source: 'Microsoft Entra ID',
    owner: 7,
    profiles: ['Analyst Role', 'Data Engineer Role'],
  },
  {
    name: 'Adobe Creative Cloud',
    description: 'Design, video and publishing tools',
    source: 'Microsoft Entra ID',
    owner: 7,
    profiles: ['Creative Cloud All Apps'],
    appCenterEnabled: false,
  },
  {
    name: 'Legacy Payroll',
    description: 'Retired payroll system kept read-only for audits',
    source: 'SAP S/4HANA',
    owner: 4,
    profiles: [],
    enabled: false,
    provisionRequestEnabled: false,
    appCenterEnabled: false,
  },
  { name: 'Kronos Timekeeping', description: 'Shift planning and time clock records', source: 'Workday', owner: 4, profiles: ['Timecard Approver'] },
  {
    name: 'Box Enterprise',
    description: 'File sharing with partners and customers',
    source: 'Okta',
    owner: 1,
    profiles: ['Box Collaborators', 'Box Administrators'],
  },
];

const APPROVALS = ['manager', 'appOwner', 'manager,appOwner', 'accessProfileOwner', 'manager,sourceOwner'];

// ---------------------------------------------------------------------------------------------
// Generation

function buildSeed(): SourceAppSeed {
  const identities = OWNERS.map((name) => ({ id: hexId(`identity:${name}`), name }));
  const sources = SOURCES.map(([name, useForPasswordManagement, policies], i) => ({
    id: hexId(`source:${name}`),
    name,
    legacyId: 20_410_000 + i * 137,
    useForPasswordManagement,
    passwordPolicies: policies && policies.map((p) => ({ type: 'PASSWORD_POLICY' as const, id: hexId(`password-policy:${p}`), name: p })),
  }));
  const sourceId = (name: string): string => sources.find((s) => s.name === name)!.id;

  const accessProfiles: AccessProfileRecord[] = [];
  const apps = APPS.map((row, i): SourceAppRecord => {
    const created = EPOCH + i * 9 * DAY + i * 3_600_000;
    const modified = created + (i % 5) * 17 * DAY + (i % 3) * 60_000;
    const profileIds = row.profiles.map((name, j) => {
      const id = hexId(`access-profile:${row.name}:${name}`);
      const apCreated = created + (j + 1) * DAY;
      const privileged = /admin|owner|privileged|controller|approver/i.test(name);
      accessProfiles.push({
        id,
        name,
        description: j === 2 ? null : `${name} in ${row.name}`,
        created: at(apCreated),
        modified: at(apCreated + (j % 2) * 30 * DAY),
        disabled: false,
        requestable: !/owner/i.test(name),
        protected: privileged,
        ownerId: identities[(row.owner + j) % identities.length].id,
        sourceId: sourceId(row.source),
        entitlements: Array.from({ length: 1 + ((i + j) % 3) }, (_, k) => hexId(`entitlement:${row.name}:${name}:${k}`)),
        segments: privileged ? [] : [hexId(`segment:${row.source}`)],
        approvalSchemes: APPROVALS[(i + j) % APPROVALS.length],
        revokeRequestApprovalSchemes: privileged ? 'manager' : '',
        requestCommentsRequired: privileged,
        deniedCommentsRequired: privileged,
        accountSelector: { selectors: null },
      });
      return id;
    });
    return {
      id: hexId(`source-app:${row.name}`),
      cloudAppId: String(9_854_000 + i * 41),
      name: row.name,
      description: row.description,
      created: at(created),
      modified: at(modified),
      enabled: row.enabled ?? true,
      provisionRequestEnabled: row.provisionRequestEnabled ?? true,
      appCenterEnabled: row.appCenterEnabled ?? true,
      matchAllAccounts: row.matchAllAccounts ?? false,
      accountSourceId: sourceId(row.source),
      ownerId: identities[row.owner].id,
      accessProfiles: profileIds,
      assignedToCaller: row.assigned ?? false,
    };
  });
  return { identities, sources, accessProfiles, apps };
}

export const SOURCE_APP_SEED: SourceAppSeed = buildSeed();
