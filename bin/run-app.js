#!/usr/bin/env node
// The app command of cdk8s.yaml. Runs the compiled dist-lib/main.js when no TypeScript source
// (nor script file the constructs read) changed since the last successful `npm run compile`
// (`npm test` compiles too; the compile stamps dist-lib/.compiled), and otherwise main.ts
// through sucrase, which transpiles without type-checking. Either way synth never
// type-checks and never runs stale code. DOIT_TRANSPILE=1 forces the sucrase path.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist-lib');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(e => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|sh|conf)$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

function compiledIsFresh() {
  let stamp;
  try {
    stamp = fs.statSync(path.join(out, '.compiled')).mtimeMs;
  } catch {
    return false;
  }
  const files = [path.join(root, 'main.ts'), ...sources(path.join(root, 'app')), ...sources(path.join(root, 'lib')), ...sources(path.join(root, 'imports'))];
  return files.every(src => fs.statSync(src).mtimeMs <= stamp);
}

if (process.env.DOIT_TRANSPILE !== '1' && compiledIsFresh()) {
  require(path.join(out, 'main.js'));
} else {
  require('sucrase/register/ts');
  require(path.join(root, 'main.ts'));
}
