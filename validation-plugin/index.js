// Entry point that cdk8s-cli require()s for the `validations:` entry in cdk8s.yaml.
// The CLI can only load JavaScript: sucrase transpiles the TypeScript sources on load
// (a few milliseconds, no type-check), so the plugin is always the code in lib/validation/
// and no compile step is needed before `cdk8s synth`. Library consumers point their
// cdk8s.yaml at the compiled `dist-lib/lib/validation/plugin.js` of the package instead.
require('sucrase/register/ts');
module.exports = require('../lib/validation/plugin.ts');
