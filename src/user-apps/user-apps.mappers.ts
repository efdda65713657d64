import type { PageModel } from '../shared/paging.js';
import { objectReference, type IscReference } from '../source-apps/source-apps.mappers.js';

/** The owner ISC embeds in a user app: a reference with the identity's alias. */
export interface IscUserAppOwner extends IscReference {
  alias?: string;
}

/** The fields of `SourceApp` a user app's embedded reference (`sourceApp: { id, type, name }`) answers. */
export const SOURCE_APP_REFERENCE_FIELDS: readonly string[] = ['id', 'name'];

/** ISC's `UserApp`, as the lists and the PATCH answer it. */
export interface IscUserApp {
  id: string;
  created?: string;
  modified?: string;
  hasMultipleAccounts?: boolean;
  useForPasswordManagement?: boolean;
  provisionRequestEnabled?: boolean;
  appCenterEnabled?: boolean;
  sourceApp?: IscReference | null;
  source?: IscReference | null;
  account?: IscReference | null;
  owner?: IscUserAppOwner | null;
}

/** ISC's `AppAccountDetails`, an item of `GET /user-apps/{id}/available-accounts`. */
export interface IscAppAccountDetails {
  appId?: string;
  appDisplayName?: string;
  sourceAccount?: {
    id?: string;
    nativeIdentity?: string;
    displayName?: string;
    sourceId?: string;
    sourceDisplayName?: string;
  } | null;
}

export type UserAppModel = IscUserApp;
export type UserAppPageModel = PageModel<IscUserApp>;

/** The one page of available accounts ISC can answer, with its total when it was asked for. */
export interface UserAppAccountListModel {
  items: IscAppAccountDetails[];
  /** ISC's `X-Total-Count`; null when it was not asked for. */
  totalCount: number | null;
}

/** `UserApp.owner`: ISC's embedded identity reference with its alias. */
export function userAppOwner(owner: IscUserAppOwner | null | undefined) {
  const reference = objectReference(owner);
  return reference && { ...reference, alias: owner?.alias ?? null };
}

/** `UserAppAvailableAccount`: ISC's `AppAccountDetails`, its nested account flattened. */
export function availableAccount(details: IscAppAccountDetails) {
  const account = details.sourceAccount ?? {};
  return {
    id: account.id ?? null,
    nativeIdentity: account.nativeIdentity ?? null,
    displayName: account.displayName ?? null,
    sourceId: account.sourceId ?? null,
    sourceDisplayName: account.sourceDisplayName ?? null,
    appId: details.appId ?? null,
    appDisplayName: details.appDisplayName ?? null,
  };
}
