import { badInput } from '../shared/errors.js';
import { pathSegment } from '../shared/path.js';

/** The body of a create or a PUT: ISC's only field is `name`, and an empty one is never valid. */
export function customizerBody(input: { name: string }): { name: string } {
  if (input.name.trim().length === 0) throw badInput('input.name must not be empty', { argument: 'input.name' });
  return { name: input.name };
}

/** A customizer id for a write: one safe path segment, checked before anything is sent. */
export function customizerId(id: string): string {
  pathSegment(id, 'id');
  return id;
}
