#!/usr/bin/env node
// The `chainsmith` command. The TypeScript sources compile to dist/ (npm run build).
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const entry = path.join(__dirname, "..", "dist", "cli", "main.js");
if (!fs.existsSync(entry)) {
  process.stderr.write(`chainsmith: ${entry} is missing; run 'npm run build' in ${path.join(__dirname, "..")} first.\n`);
  process.exitCode = 70;
} else {
  // A reader that stops early (chainsmith bundle ... | head) is not an error.
  process.stdout.on("error", (e) => {
    if (e.code !== "EPIPE") throw e;
  });
  require(entry)
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
}
