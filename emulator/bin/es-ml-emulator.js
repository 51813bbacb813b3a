#!/usr/bin/env node
// The `es-ml-emulator` command. This file is committed, not built: npm links a workspace package's
// bin only when the file exists at `npm ci`, and dist/ is built afterwards. The command itself is
// dist/cli.js.
"use strict";
const path = require("node:path");

const entry = path.join(__dirname, "..", "dist", "cli.js");
let cli;
try {
  cli = require(entry);
} catch (error) {
  if (error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes(entry)) {
    process.stderr.write(
      `es-ml-emulator: ${entry} is not built; run \`npm run build\` at the repository root\n`,
    );
    process.exit(1);
  }
  throw error;
}
cli.run();
