module.exports = require('./tmp-guard').teardown;
