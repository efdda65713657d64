import { enumValue, rawEnum } from '../shared/enums.js';
import type { PageModel } from '../shared/paging.js';

/** ISC's `BaseReferenceDto`: a pointer to another object. */
export interface IscReference {
  id?: string;
  type?: string;
  name?: string;
}

/** The account source embedded in a source app. */
export interface IscAccountSource extends IscReference {
  useForPasswordManagement?: boolean;
  passwordPolicies?: IscReference[] | null;
}

/**
 * A source app as ISC sends it: `SourceApp` from the reads, create and delete, `SourceAppPatchDto`
 * (the same plus `accessProfiles`, a list of ids) from a PATCH.
 */
export interface IscSourceApp {
  id: string;
  cloudAppId?: string;
  name?: string;
  description?: string;
  created?: string;
  modified?: string;
  enabled?: boolean;
  provisionRequestEnabled?: boolean;
  matchAllAccounts?: boolean;
  appCenterEnabled?: boolean;
  accountSource?: IscAccountSource | null;
  owner?: IscReference | null;
  accessProfiles?: string[] | null;
}

/** ISC's `AccessProfileDetails`, an item of `GET /source-apps/{id}/access-profiles`. */
export interface IscAccessProfile {
  id: string;
  name?: string;
  description?: string | null;
  created?: string;
  modified?: string;
  disabled?: boolean;
  requestable?: boolean;
  protected?: boolean;
  ownerId?: string;
  sourceId?: number | null;
  sourceName?: string;
  appId?: number | null;
  appName?: string | null;
  applicationId?: string;
  type?: string;
  entitlements?: string[];
  entitlementCount?: number;
  segments?: string[];
  approvalSchemes?: string;
  revokeRequestApprovalSchemes?: string;
  requestCommentsRequired?: boolean;
  deniedCommentsRequired?: boolean;
  accountSelector?: Record<string, unknown>;
}

export type SourceAppModel = IscSourceApp;
export type SourceAppPageModel = PageModel<IscSourceApp>;
export type AccessProfileModel = IscAccessProfile;
/** ISC cannot count access profiles: `totalCount` stays null and is not in the schema. */
export type AccessProfilePageModel = PageModel<IscAccessProfile>;

// ISC's DtoType values, for the `ReferenceType` enum.
const REFERENCE_TYPES = [
  'ACCOUNT_CORRELATION_CONFIG',
  'ACCESS_PROFILE',
  'ACCESS_REQUEST_APPROVAL',
  'ACCOUNT',
  'APPLICATION',
  'CAMPAIGN',
  'CAMPAIGN_FILTER',
  'CERTIFICATION',
  'CLUSTER',
  'CONNECTOR_SCHEMA',
  'ENTITLEMENT',
  'GOVERNANCE_GROUP',
  'IDENTITY',
  'IDENTITY_PROFILE',
  'IDENTITY_REQUEST',
  'MACHINE_IDENTITY',
  'LIFECYCLE_STATE',
  'PASSWORD_POLICY',
  'ROLE',
  'RULE',
  'SOD_POLICY',
  'SOURCE',
  'TAG',
  'TAG_CATEGORY',
  'TASK_RESULT',
  'REPORT_RESULT',
  'SOD_VIOLATION',
  'ACCOUNT_ACTIVITY',
  'WORKGROUP',
] as const;

// Return types are inferred, not named from src/generated/: that file imports this one's payload
// types, and the resolvers check these shapes against the schema's.

/** ISC's `{ id, type, name }` with the type under the unknown-enum rule. */
function referenceFields(ref: IscReference) {
  return { id: ref.id ?? null, type: enumValue(REFERENCE_TYPES, ref.type), typeRaw: rawEnum(ref.type), name: ref.name ?? null };
}

/** `SourceApp.owner`: ISC's embedded reference. */
export const objectReference = (ref: IscReference | null | undefined) => (ref ? referenceFields(ref) : null);

/** `SourceApp.ownerIdentity`: the owner as a federation entity. */
export const ownerIdentity = (app: IscSourceApp) => (app.owner?.id ? { id: app.owner.id } : null);

/** `SourceApp.accountSource`: the embedded source, its password policies as references. */
export function accountSource(source: IscAccountSource | null | undefined) {
  if (!source) return null;
  return {
    ...referenceFields(source),
    source: source.id ? { id: source.id } : null,
    useForPasswordManagement: source.useForPasswordManagement ?? null,
    passwordPolicies: source.passwordPolicies ? source.passwordPolicies.map(referenceFields) : null,
  };
}
