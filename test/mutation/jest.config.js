'use strict';
/**
 * Jest configuration of mutation testing: the project's own, restricted to the suites that run
 * in-process, with the runner that loads only the test files a mutant needs. Stryker activates a
 * mutant inside the jest process, so a suite that spawns `cdk8s synth`, `npm pack` or a real
 * binary would test unmutated code, slowly: those stay out, as do the integration tests.
 */
const base = require('../../jest.config.js');

const NOT_IN_PROCESS = [
  '\\.integration\\.test\\.ts$',
  '/__tests__/synth-cli\\.test\\.ts$',
  '/__tests__/example\\.test\\.ts$',
  '/__tests__/package\\.test\\.ts$',
  '/__tests__/app/kill\\.test\\.ts$',
  '/__tests__/validation/plugin-cli\\.test\\.ts$',
  '/__tests__/setup/',
  '/__tests__/mutation/',
  // The diagram tool (tools/) is not the library: its tests build whole stacks and spawn it.
  '/__tests__/tools/',
  '/__tests__/imports/cnpg-bindings\\.test\\.ts$',
];

module.exports = {
  ...base,
  testPathIgnorePatterns: ['/node_modules/', ...NOT_IN_PROCESS],
  runner: require.resolve('./jest-runner.js'),
};
