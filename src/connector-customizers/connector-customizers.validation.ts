import { badInput } from '../shared/errors.js';

/** The body of a create or a PUT: ISC's only field is `name`, and an empty one is never valid. */
export function customizerBody(input: { name: string }): { name: string } {
  if (input.name.trim().length === 0) throw badInput('input.name must not be empty', { argument: 'input.name' });
  return { name: input.name };
}
