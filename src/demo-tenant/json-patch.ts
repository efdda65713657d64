import type { Operation } from 'fast-json-patch';
import { badRequest } from './errors.js';

/** ISC's JSON Patch checks, shared by every demo-tenant domain that takes `PATCH`. */
const PATCH_OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'];

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A 400 unless `body` is an array of operations whose paths (and `from`s) name a patchable field. */
export function checkPatch(body: unknown, patchableFields: readonly string[]): Operation[] {
  const patchable = new RegExp(`^/(${patchableFields.join('|')})(/.*)?$`);
  if (!Array.isArray(body)) throw badRequest('The request body must be a JSON array of JSON Patch operations');
  body.forEach((op: unknown, i) => {
    if (!isObject(op)) throw badRequest(`Operation ${i} must be an object`);
    if (typeof op.op !== 'string' || !PATCH_OPS.includes(op.op)) {
      throw badRequest(`Operation ${i}: op must be one of ${PATCH_OPS.join(', ')}`);
    }
    for (const key of op.op === 'move' || op.op === 'copy' ? ['path', 'from'] : ['path']) {
      const p = op[key];
      if (typeof p !== 'string' || !patchable.test(p)) {
        throw badRequest(`Operation ${i}: ${key} ${JSON.stringify(p)} is not patchable; patchable fields are ${patchableFields.join(', ')}`);
      }
    }
  });
  return body as Operation[];
}
