// Runs after `tsc --build` (npm run compile): copies the shell scripts the constructs read
// into dist-lib/, and stamps the build so bin/run-app.js knows the compiled app is current.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
fs.copyFileSync(path.join(root, 'lib', 'postgres', 'pg_hba.conf'), path.join(root, 'dist-lib', 'lib', 'postgres', 'pg_hba.conf'));
for (const construct of ['postgres', 'elixir']) {
  fs.cpSync(path.join(root, 'lib', construct, 'scripts'), path.join(root, 'dist-lib', 'lib', construct, 'scripts'), { recursive: true });
}
fs.writeFileSync(path.join(root, 'dist-lib', '.compiled'), `${new Date().toISOString()}\n`);
