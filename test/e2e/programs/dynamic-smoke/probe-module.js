// A plain CommonJS module of the project, required at run time by a dynamic provider method
// (test/e2e/engine.test.ts checks that this works from the provider process).
"use strict";
exports.describe = (text) => `probe-module saw ${text.length} bytes`;
