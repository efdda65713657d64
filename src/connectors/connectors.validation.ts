import type { CreateCustomConnectorInput } from '../generated/graphql.js';
import { badInput } from '../shared/errors.js';
import type { CreateConnectorBody } from './connectors.api.js';

/** Bound on uploaded XML and properties files, well below ISC's own limits. */
const MAX_FILE_CHARS = 512 * 1024;

/** An uploaded file's content, refused when larger than MAX_FILE_CHARS. */
export function checkFileContent(value: string, argument: string): string {
  if (value.length > MAX_FILE_CHARS) throw badInput(`${argument} is larger than ${MAX_FILE_CHARS} characters`, { argument });
  return value;
}

/** The create body ISC takes (`POST /connectors`); name and class must not be blank, optional fields left out when null. */
export function createConnectorBody(input: CreateCustomConnectorInput): CreateConnectorBody {
  for (const field of ['name', 'className'] as const) {
    if (!input[field].trim()) throw badInput(`input.${field} must not be empty`, { argument: `input.${field}` });
  }
  return {
    name: input.name,
    className: input.className,
    ...(input.type != null && { type: input.type }),
    ...(input.directConnect != null && { directConnect: input.directConnect }),
    ...(input.status != null && { status: input.status }),
  };
}
