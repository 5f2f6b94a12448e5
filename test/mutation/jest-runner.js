'use strict';
/**
 * Jest test runner for mutation testing. Two things make a mutant cheap:
 *
 * 1. Only the test files that hold a test Stryker asked for are loaded. With per-test coverage
 *    Stryker runs each mutant with a `testNamePattern` naming the tests that cover it, but jest
 *    would still load every test file (and through it cdk8s-plus and the whole library, in a
 *    fresh module registry) before the pattern skips its tests. Full test names per file come
 *    from a plain jest run that `scripts/mutate.ts` makes just before Stryker starts
 *    (file `MUTATION_TEST_NAMES`).
 * 2. Bail: once a test file has a failing test the mutant is killed, so the files after it are
 *    not run (jest itself cannot bail when run programmatically, as Stryker runs it). The files
 *    run fastest first, by the durations of that same plain run.
 *
 * It never drops a file it cannot vouch for: without a pattern (Stryker's initial run, which
 * measures coverage and must run everything), without the names file, for a file missing from
 * it, or when no file would be left, every file runs.
 */
const { readFileSync } = require('fs');
const { relative } = require('path');
const { default: TestRunner } = require('jest-runner');

const ACTIVE_MUTANT = '__STRYKER_ACTIVE_MUTANT__';

let recorded;
/** file (relative to the root dir) → { names: full test names, ms: duration }, or null. */
function recordedTests() {
  if (recorded === undefined) {
    const file = process.env.MUTATION_TEST_NAMES;
    recorded = file ? new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')))) : null;
  }
  return recorded;
}

const key = test => relative(test.context.config.rootDir, test.path).split('\\').join('/');

/** The test files that can hold a test matching `pattern` (a jest testNamePattern, if any), fastest first. */
function selectTests(tests, pattern) {
  const byFile = recordedTests();
  if (!byFile) return tests;
  const regex = pattern ? new RegExp(pattern, 'i') : undefined;
  const selected = tests.filter(test => {
    const known = byFile.get(key(test));
    return !regex || known === undefined || known.names.some(name => regex.test(name));
  });
  const ms = test => byFile.get(key(test))?.ms ?? Number.MAX_SAFE_INTEGER;
  return (selected.length > 0 ? selected : [...tests]).sort((a, b) => ms(a) - ms(b));
}

class MutationTestRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const selected = selectTests(tests, this._globalConfig.testNamePattern);
    if (!process.env[ACTIVE_MUTANT] || !options.serial) return super.runTests(selected, watcher, options);
    let failed = false;
    const unsubscribe = [
      this.on('test-file-success', ([, result]) => { if (result.numFailingTests > 0 || result.testExecError) failed = true; }),
      this.on('test-file-failure', () => { failed = true; }),
    ];
    try {
      for (const test of selected) {
        if (failed || watcher.isInterrupted()) break;
        await super.runTests([test], watcher, options);
      }
    } finally {
      for (const off of unsubscribe) off();
    }
  }
}

module.exports = MutationTestRunner;
module.exports.selectTests = selectTests;
