import { patchBuilder, isObject, isString, type PatchSchema } from '../shared/json-patch.js';

/** The connector fields ISC lets `PATCH /connectors/{scriptName}` change. */
export const CONNECTOR_PATCH_SCHEMA: PatchSchema = {
  connectorMetadata: { check: isObject, removable: true },
  applicationXml: { check: isString, removable: true },
  correlationConfigXml: { check: isString, removable: true },
  sourceConfigXml: { check: isString, removable: true },
};

/** Typed update input and raw operations → the JSON Patch ISC receives. */
export const connectorPatch = patchBuilder(CONNECTOR_PATCH_SCHEMA);
