/** Jest runs the TypeScript sources as native ESM (see README, "Tests"). */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  testTimeout: 30000,
  // Most suites wait on sockets and timers rather than the CPU: three workers on two cores overlap
  // those waits (jest's default here would be one).
  maxWorkers: 3,
};
