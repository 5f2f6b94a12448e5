/** Type-checking happens once for the whole tree (`tsc --noEmit` in `npm test`);
 *  ts-jest then only transpiles, so each test file does not re-run the checker. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // A private TMPDIR per run, removed at the end; leftover generated secrets fail the run.
  globalSetup: '<rootDir>/__tests__/setup/global-setup.js',
  globalTeardown: '<rootDir>/__tests__/setup/global-teardown.js',
};
