// Lint rules every change is held to (`npm run lint`, part of `npm test`); formatting is Prettier's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'src/generated/',
      'test-output/',
      'bench/results/',
      'examples/**/dist/',
      'examples/**/generated/',
      'examples/frontend/src/gql/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // Apollo's plugin hooks and the cache and token interfaces return promises by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Tests and the benchmark read GraphQL and ISC answers as loosely typed JSON.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // One way to make an error: src/shared/errors.ts holds the catalogue of codes and the factories.
    // Tests may build errors as Apollo or a library would, to feed them to the code under test.
    files: ['src/**/*.ts'],
    ignores: ['src/shared/errors.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: [
            "NewExpression[callee.name='GraphQLError']",
            ":matches(ClassDeclaration, ClassExpression)[superClass.name='GraphQLError']",
            "ImportSpecifier[imported.name='GraphQLError'][local.name!='GraphQLError']",
          ].join(', '),
          message: 'Make errors with src/shared/errors.ts (gatewayError, refusalError, uncodedError), whose codes are in its catalogue.',
        },
      ],
    },
  },
  {
    // A function that outgrows a screen is split along its seams into named pieces.
    files: ['src/**/*.ts'],
    ignores: ['src/isc/**'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The upstream pipeline stays a set of small stages: a function that outgrows this is split.
    files: ['src/isc/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The example frontend (React): hooks called by the rules, effects listing what they read.
    files: ['examples/frontend/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['**/*.js', '**/*.mjs'], languageOptions: { globals: globals.node } },
  prettier,
);
