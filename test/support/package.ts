import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The version package.json gives, read here apart from the code under test. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version: string }
).version;
