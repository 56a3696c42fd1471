// Jest transform that does exactly what Node.js 24 does when it runs our sources:
// erase the type annotations (positions are kept, so stack traces stay correct).
const { stripTypeScriptTypes } = require('node:module');

module.exports = {
  process(sourceText) {
    return { code: stripTypeScriptTypes(sourceText, { mode: 'strip' }) };
  },
};
