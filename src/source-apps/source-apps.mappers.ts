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
