import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

/**
 * The lint rule of eslint.config.js that keeps one way to make an error: a GraphQLError is made
 * in src/shared/errors.ts only. The fixtures are linted as if they sat at the paths given, with
 * the project's own configuration; type-aware rules are off, as the fixtures are in no tsconfig.
 */
const eslint = new ESLint({ cwd: new URL('../../', import.meta.url).pathname, overrideConfig: tseslint.configs.disableTypeChecked });

const RULE = 'no-restricted-syntax';

async function restrictedSyntaxAt(filePath: string, code: string): Promise<{ line: number; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  // A fixture that does not parse would pass for want of anything to check.
  expect(result.messages.filter((m) => m.fatal)).toEqual([]);
  return result.messages.filter((m) => m.ruleId === RULE).map(({ line, message }) => ({ line, message }));
}

const MESSAGE = 'Make errors with src/shared/errors.ts (gatewayError, refusalError, uncodedError), whose codes are in its catalogue.';

const RAW_ERROR = [
  "import { GraphQLError } from 'graphql';",
  '',
  "export const refused = (): GraphQLError => new GraphQLError('no', { extensions: { code: 'BAD_REQUEST' } });",
  '',
].join('\n');

describe('lint: new GraphQLError outside src/shared/errors.ts', () => {
  it('fires on a GraphQLError made in src/', async () => {
    expect(await restrictedSyntaxAt('src/limits/lint-fixture.ts', RAW_ERROR)).toEqual([{ line: 3, message: MESSAGE }]);
  });

  it('fires on a subclass and on an aliased import (ways around the constructor rule)', async () => {
    const code = [
      "import { GraphQLError, GraphQLError as Made } from 'graphql';",
      '',
      'export class Refused extends GraphQLError {}',
      "export const made = (): Made => Reflect.construct(Made, ['no']) as Made;",
      '',
    ].join('\n');
    expect(await restrictedSyntaxAt('src/auth/lint-fixture.ts', code)).toEqual([
      { line: 1, message: MESSAGE },
      { line: 3, message: MESSAGE },
    ]);
  });

  it('does not fire in src/shared/errors.ts, nor in tests, nor on the factories', async () => {
    expect(await restrictedSyntaxAt('src/shared/errors.ts', RAW_ERROR)).toEqual([]);
    expect(await restrictedSyntaxAt('test/limits/lint-fixture.test.ts', RAW_ERROR)).toEqual([]);
    const factory = [
      "import { refusalError } from '../shared/errors.js';",
      '',
      "export const refused = () => refusalError('BAD_REQUEST', 'no');",
      '',
    ].join('\n');
    expect(await restrictedSyntaxAt('src/limits/lint-fixture.ts', factory)).toEqual([]);
  });
});
