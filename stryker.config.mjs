// Mutation testing with Stryker and its jest runner. Run it through `npm run mutate` (see
// README "Development"): scripts/mutate.ts picks the files to mutate, the incremental file and
// the score gate; this file holds what every run shares.
import jestConfig from './test/mutation/jest.config.js';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'jest',
  jest: { projectType: 'custom', config: jestConfig, enableFindRelatedTests: false },
  plugins: ['@stryker-mutator/*', './test/mutation/ignore-messages.mjs'],
  // Mutants in message text are not run (see that file for exactly which).
  ignorers: ['messages'],
  // Each mutant runs only the tests that executed its code in the initial run.
  coverageAnalysis: 'perTest',
  mutate: ['lib/**/*.ts', '!lib/**/index.ts'],
  // The sandbox is a copy of the project: leave out what no in-process test reads.
  ignorePatterns: ['/dist', '/dist-lib', '/examples', '/bench', '/reports', '/.secrets', '/.cdk8s', '/coverage', '*.tgz', '*.tsbuildinfo'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false },
  tempDirName: '.stryker-tmp',
  timeoutMS: 10000,
  thresholds: { high: 90, low: 85, break: null },
};
