module.exports = require('./tmp-guard').setup;
