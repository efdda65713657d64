import type { UpdateSourceAppInput } from '../generated/graphql.js';
import {
  arrayOf,
  buildPatch,
  isBoolean,
  isNonEmptyString,
  type JsonPatchOperation,
  type PatchSchema,
  type ValueCheck,
} from '../shared/json-patch.js';

/** A reference as ISC's `SourceAppPatchDto` takes it: an object with a non-empty `id`. */
export const isReference: ValueCheck = (v) =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && isNonEmptyString((v as { id?: unknown }).id) === undefined
    ? undefined
    : 'must be a reference object with a non-empty id ({ "id": "..." })';

const isId: ValueCheck = (v) => (isNonEmptyString(v) === undefined ? undefined : 'must be a non-empty id');

/**
 * The source app fields ISC lets `PATCH /source-apps/{id}` and `/source-apps/bulk-update` change.
 * Name, description and owner can never be emptied or removed; ISC's DTO makes the account source
 * and the access profile list nullable.
 */
export const SOURCE_APP_PATCH_SCHEMA: PatchSchema = {
  name: { check: isNonEmptyString, removable: false },
  description: { check: isNonEmptyString, removable: false },
  enabled: { check: isBoolean, removable: false },
  owner: { check: isReference, removable: false },
  provisionRequestEnabled: { check: isBoolean, removable: false },
  appCenterEnabled: { check: isBoolean, removable: false },
  accountSource: { check: isReference, removable: true },
  matchAllAccounts: { check: isBoolean, removable: false },
  accessProfiles: { check: arrayOf(isId), removable: true, element: isId },
};

/** An id from a typed input → ISC's reference object, keeping omitted (undefined) and null apart. */
function reference(id: string | null | undefined): { id: string } | null | undefined {
  return id === undefined ? undefined : id === null ? null : { id };
}

/** The typed input under ISC's field names, so the shared patch builder can judge it. */
export function restFields(input: UpdateSourceAppInput | null | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  return {
    name: input.name,
    description: input.description,
    enabled: input.enabled,
    owner: reference(input.ownerId),
    provisionRequestEnabled: input.provisionRequestEnabled,
    appCenterEnabled: input.appCenterEnabled,
    accountSource: reference(input.accountSourceId),
    matchAllAccounts: input.matchAllAccounts,
    accessProfiles: input.accessProfileIds,
  };
}

/** Typed input, then raw operations → the JSON Patch ISC gets; refused when it changes nothing. */
export function sourceAppPatch(
  input: UpdateSourceAppInput | null | undefined,
  raw: readonly { op: string; path: string; value?: unknown }[] | null | undefined,
): JsonPatchOperation[] {
  return buildPatch(SOURCE_APP_PATCH_SCHEMA, restFields(input), raw);
}
