#!/usr/bin/env node
// microk8s-phoenix-diagram: `npm run diagram` for projects that installed the package (README,
// "See the stack"). --format text needs nothing else; SVG and PNG need the optional peers
// @hpcc-js/wasm-graphviz, @resvg/resvg-wasm and dejavu-fonts-ttf.
'use strict';
require('../dist-lib/tools/diagram/cli.js').main(process.argv.slice(2));
