import { buildPatch, isObject, isString, type JsonPatchOperation, type PatchSchema } from '../shared/json-patch.js';

/** The connector fields ISC lets `PATCH /connectors/{scriptName}` change. */
export const CONNECTOR_PATCH_SCHEMA: PatchSchema = {
  connectorMetadata: { check: isObject, removable: true },
  applicationXml: { check: isString, removable: true },
  correlationConfigXml: { check: isString, removable: true },
  sourceConfigXml: { check: isString, removable: true },
};

export function connectorPatch(
  input: Readonly<Record<string, unknown>> | null | undefined,
  raw: readonly { op: string; path: string; value?: unknown }[] | null | undefined,
): JsonPatchOperation[] {
  return buildPatch(CONNECTOR_PATCH_SCHEMA, input, raw);
}
