/**
 * jest globalSetup/globalTeardown: every test run gets a private temporary directory (TMPDIR,
 * which os.tmpdir() and the programs the tests start use), removed at the end. Anything a test
 * left there that holds generated secrets (a doit secrets file, a manifest with a Secret) fails
 * the run, naming the files: each test must remove what it writes. Private per run, so
 * parallel runs (and anything else in /tmp) neither disturb nor trip it.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const VAR = 'MICROK8S_PHOENIX_TEST_TMP';
/** Keys of a doit secrets file, and a Secret manifest. */
const SECRET_BEARING = /"(postgresPassword|postgresSuperuserPassword|secretKeyBase|releaseCookie|registryHttpSecret|registryPassword)"\s*:|^kind: Secret\s*$/m;

/** Files below `dir` that hold generated secrets. */
function secretBearing(dir) {
  const found = [];
  const walk = d => {
    let entries;
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          if (fs.statSync(p).size <= 4 * 1024 * 1024 && SECRET_BEARING.test(fs.readFileSync(p, 'utf8'))) found.push(p);
        } catch { /* unreadable: not ours to judge */ }
      }
    }
  };
  walk(dir);
  return found;
}

/** TMPDIR before setup, restored by teardown: a process that runs jest again (Stryker runs it
 *  once per mutant) must not get the removed directory. */
let previousTmpdir;

async function setup() {
  previousTmpdir = process.env.TMPDIR;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-m8p-'));
  // Like /tmp: the integration tests hand directories to other users (postgres).
  fs.chmodSync(dir, 0o1777);
  process.env[VAR] = dir;
  process.env.TMPDIR = dir;
}

async function teardown() {
  const dir = process.env[VAR];
  if (!dir) return;
  const leaked = secretBearing(dir);
  fs.rmSync(dir, { recursive: true, force: true });
  delete process.env[VAR];
  if (previousTmpdir === undefined) delete process.env.TMPDIR; else process.env.TMPDIR = previousTmpdir;
  if (leaked.length > 0) {
    throw new Error(`Tests left generated secrets in the temporary directory (now removed); make the test that writes them remove them:\n${leaked.map(f => `  - ${path.relative(dir, f)}`).join('\n')}`);
  }
}

module.exports = { setup, teardown, secretBearing };
