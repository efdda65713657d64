import type { JsonPatchOperation } from '../shared/json-patch.js';

/** ISC's one change of a user app: the account it uses, as a typed reference. */
export const userAppAccountPatch = (accountId: string): JsonPatchOperation[] => [
  { op: 'replace', path: '/account', value: { id: accountId, type: 'ACCOUNT' } },
];
